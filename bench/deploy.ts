/**
 * `tap deploy` wall times on the local AWS: first deploy, unchanged deploy, hotswap deploy (after a
 * handler edit), and the unchanged deploy relative to `tap synth` alone and to issue 14's goal,
 * `tap --help` + 0.5 s (an unchanged deploy reads the stack once and synthesizes nothing). Each run
 * uses a fresh copy of tap (so the handler can be edited) and a fresh local AWS.
 *   npm run build && npx tsx bench/deploy.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median, summarize } from './stats.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');

function copyOfTap(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-deploy-'));
  for (const entry of ['bin', 'dist', 'src', 'package.json']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function timed(dir: string, args: string[]): number {
  const env: NodeJS.ProcessEnv = { ...process.env, TAP_LOCAL_DIR: join(dir, 'local'), TAP_LOCAL_PORT: '0', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'tap.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`tap ${args.join(' ')} failed:\n${r.stderr}`);
  return ms;
}

const samples = { synth: [] as number[], first: [] as number[], unchanged: [] as number[], hotswap: [] as number[], localStart: [] as number[], help: [] as number[] };
for (let i = 0; i < runs; i++) {
  const dir = copyOfTap();
  try {
    samples.localStart.push(timed(dir, ['local', 'start', '--port', '0', '--data-dir', join(dir, 'local')]));
    samples.synth.push(timed(dir, ['synth', '--env', 'bench', '--out', join(dir, 'out'), '--json']));
    samples.first.push(timed(dir, ['deploy', '--env', 'bench', '--json']));
    samples.unchanged.push(timed(dir, ['deploy', '--env', 'bench', '--json']));
    samples.help.push(timed(dir, ['--help']));
    appendFileSync(join(dir, 'src', 'handlers', 'processor.ts'), `\nexport const benchEdit = ${i};\n`);
    samples.hotswap.push(timed(dir, ['deploy', '--env', 'bench', '--hotswap', '--json']));
  } finally {
    spawnSync(process.execPath, [join(dir, 'bin', 'tap.js'), 'local', 'stop', '--data-dir', join(dir, 'local')]);
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(summarize('tap local start (cold)', samples.localStart));
console.log(summarize('tap synth', samples.synth));
console.log(summarize('tap deploy: first', samples.first));
console.log(summarize('tap deploy: unchanged', samples.unchanged));
console.log(summarize('tap deploy --hotswap (code edit)', samples.hotswap));
console.log(summarize('tap --help', samples.help));
const goal = median(samples.help) + 500;
console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`unchanged deploy ${median(samples.unchanged).toFixed(0)} ms vs tap --help + 0.5 s = ${goal.toFixed(0)} ms: ${median(samples.unchanged) <= goal ? 'within' : 'over'} the goal`);
console.log(`unchanged deploy / synth = ${(median(samples.unchanged) / median(samples.synth)).toFixed(2)}× (medians, ${runs} runs)`);
