/**
 * Start-up cost: `tap --help` next to `node -e 0` (the floor: a Node process that does nothing),
 * interleaved run by run so load on the machine hits both alike. Issue 14's goal: ≤ 1.6×.
 * Also `tap status --help` (a command's own help: its module only, see test/e2e/loading.test.ts).
 *   npm run build && npx tsx bench/startup.ts [--runs 21]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, summarize } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'tap.js');

const cases: Array<[string, string[]]> = [
  ['node -e 0', ['-e', '0']],
  ['tap --help', [bin, '--help']],
  ['tap status --help', [bin, 'status', '--help']],
];

const CPU = join(import.meta.dirname, 'cpu-at-exit.cjs');

/** Wall time of the whole process, and its CPU time (user + system) as it reports it at exit. */
function time(args: string[]): { wall: number; cpu: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--require', CPU, ...args], { cwd: root, encoding: 'utf8' });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  const cpu = Number(/tap-bench-cpu-us (\d+)/.exec(r.stderr)?.[1]) / 1000;
  return { wall, cpu };
}

const wall = new Map(cases.map(([name]) => [name, [] as number[]]));
const cpu = new Map(cases.map(([name]) => [name, [] as number[]]));
for (const [, args] of cases) time(args); // warm the file system cache
for (let i = 0; i < runs; i++) {
  for (const [name, args] of cases) {
    const t = time(args);
    wall.get(name)!.push(t.wall);
    cpu.get(name)!.push(t.cpu);
  }
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs each, interleaved`);
for (const [name] of cases) console.log(summarize(`${name} (wall)`, wall.get(name)!));
for (const [name] of cases) console.log(summarize(`${name} (CPU)`, cpu.get(name)!));
const ratio = (m: Map<string, number[]>) => (median(m.get('tap --help')!) / median(m.get('node -e 0')!)).toFixed(2);
console.log(`\ntap --help / node -e 0 = ${ratio(wall)}× wall, ${ratio(cpu)}× CPU (goal ≤ 1.6×)`);
