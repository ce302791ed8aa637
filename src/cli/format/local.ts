import type { LocalState, LocalUsage } from '../../ops/local.js';
import { formatBytes } from '../../ops/units.js';

/** `tap local status`: running or not, what it takes, and anything found damaged or moved aside at start. */
export function formatLocalStatus(state: LocalState): string {
  const usage = state.usage ? `\n${formatUsage(state.usage)}` : '';
  if (!state.running) return `Not running (data dir ${state.dataDir}). Start it with: tap local start${usage}`;
  const lines = [
    `Running: ${state.info.endpoint} (pid ${state.info.pid}, since ${state.info.startedAt})`,
    `  data: ${state.info.dataDir}`,
    `  services: ${state.services.join(', ')}`,
  ];
  if (state.usage) lines.push(formatUsage(state.usage));
  for (const notice of state.notices) lines.push(`  note: ${notice}`);
  if (state.damaged.length > 0) {
    lines.push(`  damaged state found at start (${state.damaged.length}), moved aside inside the data dir:`);
    for (const d of state.damaged) lines.push(`    ${d.file} (${d.error}) → ${d.movedTo}; lost: ${d.lost}`);
  }
  return lines.join('\n');
}

/** `tap local status`'s usage lines: disk per service folder (largest first), then memory. Pure. */
export function formatUsage(usage: LocalUsage): string {
  const services = Object.entries(usage.disk)
    .filter(([name, bytes]) => name !== 'total' && bytes > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = [`  disk: ${formatBytes(usage.disk.total)}${services.length ? ` (${services.map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(', ')})` : ''}`];
  if (usage.memory) lines.push(`  memory: ${formatBytes(usage.memory.rss)} resident (JavaScript heap ${formatBytes(usage.memory.heapUsed)}; Lambda workers not counted)`);
  return lines.join('\n');
}
