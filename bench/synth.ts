/**
 * `tap synth` side by side with the stock `cdk synth` (the aws-cdk devDependency's CLI) of the same app
 * (bench/cdk-app.mjs), run by run interleaved so load on the machine hits all alike; whole processes.
 *   - tap synth, nothing changed: the output folder holds the previous synth (its fingerprint matches);
 *   - tap synth, something changed: a copy of tap whose handler is edited before each run (a full synth
 *     into the same folder, as after an edit);
 *   - cdk synth: into a fresh folder each time (cdk synth has no reuse).
 * Issue 14's goals: ≥ 5× faster than cdk synth when nothing changed, ≥ 2× when something did.
 * `--compare DIR` adds "a handler changed" for another built checkout (DIR with bin/ and dist/, e.g.
 * main's) to the same run.
 *   npm run build && npm run bench:synth [-- --runs 5] [-- --compare DIR]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median, summarize } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, compare: { type: 'string' } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');
const env = { ...process.env, CI: '1', CDK_DISABLE_VERSION_CHECK: '1' };

function time(cmd: string, args: string[], cwd = root): number {
  const started = performance.now();
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${result.stderr}`);
  return ms;
}

/** A copy of tap (bin, dist, src, package.json; node_modules linked) whose handler can be edited. */
function copyOfTap(from = root): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-synth-copy-'));
  for (const entry of ['bin', 'dist', 'src', 'package.json']) cpSync(join(from, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const work = mkdtempSync(join(tmpdir(), 'tap-bench-synth-'));
const copy = copyOfTap();
const other = values.compare ? copyOfTap(resolve(values.compare)) : undefined;
const kept = join(work, 'kept');
const edited = join(work, 'edited');
const otherEdited = join(work, 'other-edited');
const tapSynth = (out: string, bin = join(root, 'bin', 'tap.js')) => [bin, 'synth', '--env', 'dev', '--out', out, '--json'];
const cdkSynth = (out: string): [string, string[]] => [
  join(root, 'node_modules/.bin/cdk'),
  ['synth', '--app', `${process.execPath} bench/cdk-app.mjs`, '--output', out, '--quiet', '--no-notices', '--no-version-reporting'],
];

const samples = { unchanged: [] as number[], changed: [] as number[], otherChanged: [] as number[], cdk: [] as number[], help: [] as number[] };
try {
  // Warm the file system cache, and leave a synth in `kept` and in `edited` to reuse or replace.
  time(process.execPath, tapSynth(kept));
  time(process.execPath, tapSynth(edited, join(copy, 'bin', 'tap.js')));
  if (other) time(process.execPath, tapSynth(otherEdited, join(other, 'bin', 'tap.js')));
  time(...cdkSynth(join(work, 'cdk-warm')));
  for (let i = 0; i < runs; i++) {
    samples.unchanged.push(time(process.execPath, tapSynth(kept)));
    appendFileSync(join(copy, 'src', 'handlers', 'processor.ts'), `\nexport const benchEdit${i} = ${i};\n`);
    samples.changed.push(time(process.execPath, tapSynth(edited, join(copy, 'bin', 'tap.js'))));
    if (other) {
      appendFileSync(join(other, 'src', 'handlers', 'processor.ts'), `\nexport const benchEdit${i} = ${i};\n`);
      samples.otherChanged.push(time(process.execPath, tapSynth(otherEdited, join(other, 'bin', 'tap.js'))));
    }
    const out = join(work, `cdk-${i}`);
    samples.cdk.push(time(...cdkSynth(out)));
    rmSync(out, { recursive: true, force: true });
    samples.help.push(time(process.execPath, [join(root, 'bin', 'tap.js'), '--help']));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(copy, { recursive: true, force: true });
  if (other) rmSync(other, { recursive: true, force: true });
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs each, interleaved`);
console.log(summarize('tap synth, nothing changed', samples.unchanged));
console.log(summarize('tap synth, a handler changed', samples.changed));
if (other) console.log(summarize(`tap synth of ${values.compare}, a handler changed`, samples.otherChanged));
console.log(summarize('cdk synth (same app)', samples.cdk));
console.log(summarize('tap --help (start-up)', samples.help));
const cdk = median(samples.cdk);
console.log(`\ncdk synth / tap synth, nothing changed = ${(cdk / median(samples.unchanged)).toFixed(2)}× (goal ≥ 5×)`);
console.log(`cdk synth / tap synth, a handler changed = ${(cdk / median(samples.changed)).toFixed(2)}× (goal ≥ 2×)`);
if (other) console.log(`cdk synth / tap synth of ${values.compare}, a handler changed = ${(cdk / median(samples.otherChanged)).toFixed(2)}×`);
