import type { SynthResult } from '../../ops/synth.js';
import { formatBytes, formatDuration } from '../../ops/units.js';
import type { Style } from './style.js';

/** The result of `tap synth`, as text or JSON. Pure: no terminal, no process. */
export function formatSynth(result: SynthResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { bold, dim, green, red } = options.style;
  const lines = [
    `${green('✓')} ${result.reused ? 'Reused the synthesized' : 'Synthesized'} ${bold(result.stackName)} in ${formatDuration(result.durationMs)}`,
    `  template: ${result.templateFile}`,
    `  assets:   ${result.assetManifestFile} ${dim(`(processor bundle ${formatBytes(result.bundleBytes)})`)}`,
    `  ${result.resourceCount} resources:`,
    ...Object.entries(result.resources).map(([type, n]) => `    ${String(n).padStart(3)}  ${type}`),
    `  ${result.outputs.length} outputs: ${result.outputs.join(', ')}`,
  ];
  if (result.findings) {
    if (result.findings.length === 0) {
      lines.push(`${green('✓')} Security rules (cdk-nag AwsSolutions, Serverless): no unacknowledged findings`);
    } else {
      lines.push(`${red('✗')} Security rules: ${result.findings.length} finding(s)`);
      for (const f of result.findings) lines.push(`    ${red(f.rule)} ${f.resource}\n      ${dim(f.description)}`);
      lines.push('  Fix the stack, or acknowledge a finding with its reason in src/infra/nag-suppressions.ts.');
    }
  }
  return lines.join('\n');
}
