/**
 * `tap synth` wall time side by side with `cdk synth` (the stock CLI from the aws-cdk devDependency)
 * of the same app. Both run the same compiled code from dist/ in a fresh process each time, cold cache.
 *   npm run build && npm run bench:synth [-- --runs 7]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, summarize } from './stats.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');

function time(cmd: string, args: string[]): number {
  const out = mkdtempSync(join(tmpdir(), 'tap-bench-synth-'));
  const started = performance.now();
  const result = spawnSync(cmd, args.map((a) => a.replace('{out}', out)), {
    cwd: root,
    env: { ...process.env, CI: '1', CDK_DISABLE_VERSION_CHECK: '1' },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${result.stderr}`);
  return ms;
}

const cases: Array<[string, string, string[]]> = [
  ['tap --help (start-up)', process.execPath, ['bin/tap.js', '--help']],
  ['tap synth --env dev', process.execPath, ['bin/tap.js', 'synth', '--env', 'dev', '--out', '{out}', '--json']],
  ['tap synth --env dev --validate', process.execPath, ['bin/tap.js', 'synth', '--env', 'dev', '--out', '{out}', '--validate', '--json']],
  ['cdk synth (same app)', join(root, 'node_modules/.bin/cdk'), ['synth', '--app', `${process.execPath} bench/cdk-app.mjs`, '--output', '{out}', '--quiet', '--no-notices', '--no-version-reporting']],
];

const medians = new Map<string, number>();
for (const [name, cmd, args] of cases) {
  time(cmd, args); // warm the file system cache once
  const samples = Array.from({ length: runs }, () => time(cmd, args));
  medians.set(name, median(samples));
  console.log(summarize(name, samples));
}
const tap = medians.get('tap synth --env dev')!;
const cdk = medians.get('cdk synth (same app)')!;
console.log(`\ncdk synth / tap synth = ${(cdk / tap).toFixed(2)}× (median over ${runs} runs)`);
