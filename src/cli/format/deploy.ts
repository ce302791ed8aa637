import type { PlannedChange } from '../../ops/changeset.js';
import type { DeployResult } from '../../ops/deploy.js';
import { formatDuration } from '../../ops/units.js';
import type { Style } from './style.js';

export function formatChanges(changes: PlannedChange[], style: Style): string[] {
  if (!changes.length) return [];
  const sign = (c: PlannedChange) =>
    c.action === 'Add' ? style.green('+') : c.action === 'Remove' ? style.red('-') : style.yellow('~');
  // The type first: types are short and alike, logical ids long (CDK's reach 80+ characters), so a
  // column padded to the longest id pushed every type past the edge of a 120-column terminal.
  const width = Math.max(...changes.map((c) => c.type.length));
  return changes.map((c) => {
    const replace = c.action === 'Modify' && c.replacement && c.replacement !== 'False' ? style.red(` (replacement: ${c.replacement})`) : '';
    return `  ${sign(c)} ${style.dim(c.type.padEnd(width))}  ${c.logicalId}${replace}`;
  });
}

/** The result of `tap deploy`, as text or JSON. Pure. */
export function formatDeploy(result: DeployResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { bold, green } = options.style;
  const headline: Record<DeployResult['outcome'], string> = {
    created: `Created ${bold(result.stackName)}`,
    updated: `Updated ${bold(result.stackName)}`,
    'no-changes': `${bold(result.stackName)} is up to date: no changes`,
    hotswapped: `Hotswapped the function code of ${bold(result.stackName)}`,
  };
  const lines = [`${green('✓')} ${headline[result.outcome]} in ${formatDuration(result.durationMs)} (${result.target.endpoint ?? 'AWS'}, ${result.target.region})`];
  if (result.changes.length) lines.push(`  ${result.changes.length} change(s):`, ...formatChanges(result.changes, options.style));
  const outputs = Object.entries(result.outputs);
  if (outputs.length) {
    const width = Math.max(...outputs.map(([k]) => k.length));
    lines.push('  Outputs:', ...outputs.map(([k, v]) => `    ${k.padEnd(width)}  ${v}`));
  }
  if (result.outputsFile) lines.push(`  Saved to ${result.outputsFile}`);
  return lines.join('\n');
}
