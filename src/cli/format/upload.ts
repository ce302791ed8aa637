import type { UploadResult } from '../../ops/upload.js';
import { formatBytes, formatDuration } from '../../ops/units.js';
import { formatOutcomes } from './outcomes.js';
import type { Style } from './style.js';
import { count, cut, plural, table } from './table.js';

/** The result of `tap upload`, as text or JSON. Pure. */
export function formatUpload(result: UploadResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { bold, dim, green } = options.style;
  const bytes = result.files.reduce((sum, f) => sum + f.size, 0);
  const ms = result.files.reduce((sum, f) => sum + f.ms, 0);
  const rate = ms > 0 ? `, ${formatBytes((bytes / ms) * 1000)}/s` : '';
  const lines = [`${green('✓')} Uploaded ${plural(result.files.length, 'file')} to ${bold(result.bucket)} (${formatBytes(bytes)} in ${formatDuration(ms)}${rate})`];
  lines.push(
    ...table([
      ['KEY', 'SIZE', 'VERSION', 'PARTS', 'TIME'].map(dim),
      ...result.files.map((f) => [f.key, formatBytes(f.size), cut(f.versionId ?? '-', 24), String(f.parts), formatDuration(f.ms)]),
    ]),
  );
  const g = result.generated;
  if (g) {
    const kinds = Object.entries(g.invalidByKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
    lines.push(`  Generated ${g.key}: ${count(g.records)} records, ${count(g.valid)} valid, ${count(g.invalid)} invalid${kinds ? ` (${kinds})` : ''}`);
  }
  if (result.outcomes) lines.push('Pipeline:', ...formatOutcomes(result.outcomes, options.style));
  return lines.join('\n');
}
