import type { LocalUsage } from '../../ops/local.js';
import { formatBytes } from '../../ops/units.js';

/** `tap local status`'s usage lines: disk per service folder (largest first), then memory. Pure. */
export function formatUsage(usage: LocalUsage): string {
  const services = Object.entries(usage.disk)
    .filter(([name, bytes]) => name !== 'total' && bytes > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = [`  disk: ${formatBytes(usage.disk.total)}${services.length ? ` (${services.map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(', ')})` : ''}`];
  if (usage.memory) lines.push(`  memory: ${formatBytes(usage.memory.rss)} resident (JavaScript heap ${formatBytes(usage.memory.heapUsed)}; Lambda workers not counted)`);
  return lines.join('\n');
}
