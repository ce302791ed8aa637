import type { ListedRuntime } from '../../local/runtimes/cache.js';
import type { RuntimesList } from '../../ops/runtimes.js';
import { formatBytes } from '../../ops/units.js';

/** `tap local runtimes`: what is installed, its size, and whether a function uses it. Pure. */
export function formatRuntimes(list: RuntimesList): string {
  if (list.installed.length === 0) {
    return `No runtimes installed in ${list.dir}. They install on first use, or now: tap local runtimes install [nodejs24.x]`;
  }
  const total = list.installed.reduce((n, r) => n + r.size, 0);
  const lines = [`Runtimes in ${list.dir} (${formatBytes(total)}):`];
  for (const r of list.installed) {
    lines.push(`  ${r.runtime.padEnd(12)} Node ${r.nodeVersion.padEnd(9)} ${formatBytes(r.size).padStart(9)}  ${list.used.includes(r.runtime) ? 'in use' : 'unused'}`);
  }
  const missing = list.used.filter((u) => /^nodejs\d+\.x$/.test(u) && !list.installed.some((r) => r.runtime === u));
  if (missing.length) lines.push(`  used but not installed (installs on first invocation): ${missing.join(', ')}`);
  return lines.join('\n');
}

export function formatPruned(result: { removed: readonly ListedRuntime[]; kept: readonly string[] }): string {
  if (result.removed.length === 0) return `Nothing to prune${result.kept.length ? ` (in use: ${result.kept.join(', ')})` : ''}.`;
  const freed = result.removed.reduce((n, r) => n + r.size, 0);
  return `Removed ${result.removed.map((r) => r.runtime).join(', ')} (${formatBytes(freed)} freed)${result.kept.length ? `; kept ${result.kept.join(', ')}` : ''}.`;
}
