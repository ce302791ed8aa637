/**
 * `tap status --file KEY` next to `aws dynamodb query` of the same key on the same endpoint, both as
 * whole processes (what a user waits for), interleaved run by run so load on the machine hits both
 * alike. Issue 14's goal: tap ≥ 2× faster. The pipeline is deployed with the real `tap deploy` to a
 * local AWS on a free port with a fresh data dir, and one file is processed first.
 * Each is also timed in CPU (user + system, from /usr/bin/time), which load disturbs less than wall time.
 *   npm run build && npx tsx bench/status.ts [--runs 11]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' } } });
const runs = Number(values.runs);
const bin = join(import.meta.dirname, '..', 'bin', 'tap.js');
const work = mkdtempSync(join(tmpdir(), 'tap-bench-status-'));
const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
// No AWS credentials anywhere but these variables, which both tools read.
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: join(work, 'home'),
  NO_COLOR: '1',
  TAP_LOCAL_DIR: join(work, 'local'),
  TAP_LOCAL_PORT: String(port),
  AWS_CONFIG_FILE: join(work, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
};
const withKeys = { ...baseEnv, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' };
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function run(command: string, args: string[], env: Record<string, string>): { wall: number; cpu?: number; stdout: string } {
  const [cmd, argv] = TIME ? [TIME, ['-f', 'bench-cpu %U %S', command, ...args]] : [command, args];
  const started = performance.now();
  const r = spawnSync(cmd, argv, { cwd: work, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const m = /bench-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, ...(m && { cpu: (Number(m[1]) + Number(m[2])) * 1000 }), stdout: r.stdout };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port: p } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return p;
}

try {
  process.stdout.write(`deploying TapStack-bench to a local AWS at ${endpoint}…\n`);
  run(process.execPath, [bin, 'deploy', '--env', 'bench', '--json'], baseEnv);
  writeFileSync(join(work, 'shipments.json'), JSON.stringify([{ shipment_id: 'SH1', status: 'CREATED', timestamp: '2026-01-05T10:00:00Z', carrier: 'UPS' }]));
  run(process.execPath, [bin, 'upload', 'shipments.json', '--wait', '--env', 'bench'], baseEnv);
  const hasAws = spawnSync('aws', ['--version']).status === 0;

  const cases: Array<[string, string, string[], Record<string, string>]> = [
    ['node -e 0 (the floor)', process.execPath, ['-e', '0'], baseEnv],
    ['tap --help', process.execPath, [bin, '--help'], baseEnv],
    ['tap status --file (--endpoint-url)', process.execPath, [bin, 'status', '--file', 'shipments.json', '--env', 'bench', '--endpoint-url', endpoint, '--json'], withKeys],
    ['tap status --file (local, no creds)', process.execPath, [bin, 'status', '--file', 'shipments.json', '--env', 'bench', '--json'], baseEnv],
  ];
  if (hasAws) {
    const values = JSON.stringify({ ':f': { S: 'incoming/shipments.json' } });
    const query = ['dynamodb', 'query', '--endpoint-url', endpoint, '--table-name', 'tap-bench-metadata', '--key-condition-expression', 'filename = :f', '--expression-attribute-values', values];
    cases.push(['aws dynamodb query (same key)', 'aws', query, withKeys]);
  }
  // Both answer about the same file (a check that the bench measures real work).
  const tapSays = JSON.parse(run(cases[2]![1], cases[2]![2], cases[2]![3]).stdout) as { runs: unknown[] };
  if (tapSays.runs.length !== 1) throw new Error(`tap status found ${tapSays.runs.length} runs, expected 1`);
  if (hasAws && (JSON.parse(run('aws', cases[4]![2], withKeys).stdout) as { Count: number }).Count !== 1) throw new Error('aws found no item');

  const wall = new Map(cases.map(([name]) => [name, [] as number[]]));
  const cpu = new Map(cases.map(([name]) => [name, [] as number[]]));
  const loadBefore = loadavg();
  for (let i = 0; i < runs; i++) {
    for (const [name, command, args, env] of cases) {
      const r = run(command, args, env);
      wall.get(name)!.push(r.wall);
      if (r.cpu !== undefined) cpu.get(name)!.push(r.cpu);
    }
  }
  const loadAfter = loadavg();
  process.stdout.write(`\nmedians of ${runs} interleaved runs (whole processes)\n`);
  for (const [name] of cases) {
    const c = cpu.get(name)!;
    process.stdout.write(`${name.padEnd(38)} wall ${median(wall.get(name)!).toFixed(0).padStart(6)} ms   cpu ${c.length ? median(c).toFixed(0).padStart(6) : '     ?'} ms\n`);
  }
  if (hasAws) {
    const aws = 'aws dynamodb query (same key)';
    for (const tap of ['tap status --file (--endpoint-url)', 'tap status --file (local, no creds)']) {
      const ratio = median(wall.get(aws)!) / median(wall.get(tap)!);
      const cpuRatio = cpu.get(aws)!.length ? ` (cpu ${(median(cpu.get(aws)!) / median(cpu.get(tap)!)).toFixed(2)}×)` : '';
      process.stdout.write(`${tap}: ${ratio.toFixed(2)}× as fast as aws dynamodb query, wall${cpuRatio}; goal ≥ 2×\n`);
    }
  } else process.stdout.write('aws dynamodb query: the AWS CLI is not installed; not compared\n');
  process.stdout.write(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')} (2 cores here)\n`);
} finally {
  spawnSync(process.execPath, [bin, 'local', 'stop'], { cwd: work, env: baseEnv });
  rmSync(work, { recursive: true, force: true });
}
