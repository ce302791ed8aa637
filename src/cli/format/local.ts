import type { LocalState } from '../../ops/local.js';

/** `tap local status`: running or not, and anything found damaged or moved aside at start. */
export function formatLocalStatus(state: LocalState): string {
  if (!state.running) return `Not running (data dir ${state.dataDir}). Start it with: tap local start`;
  const lines = [
    `Running: ${state.info.endpoint} (pid ${state.info.pid}, since ${state.info.startedAt})`,
    `  data: ${state.info.dataDir}`,
    `  services: ${state.services.join(', ')}`,
  ];
  for (const notice of state.notices) lines.push(`  note: ${notice}`);
  if (state.damaged.length > 0) {
    lines.push(`  damaged state found at start (${state.damaged.length}), moved aside inside the data dir:`);
    for (const d of state.damaged) lines.push(`    ${d.file} (${d.error}) → ${d.movedTo}; lost: ${d.lost}`);
  }
  return lines.join('\n');
}
