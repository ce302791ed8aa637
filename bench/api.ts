/**
 * The partner API on the local AWS, with the real binary (`tap deploy` to a private local AWS, which
 * runs as its own process, as `tap local start` runs it):
 *   1. signed GET /files/{key} round trip (SigV4 signing + API Gateway + Lambda proxy + the file status
 *      reads): p50 and p95 over N sequential requests, after warm-up; signed with the built-in key and,
 *      alternating with it, with a partner's key made through the local IAM (its secret is looked up
 *      on disk for every request);
 *   2. `tap api get /files/<key>` wall time next to `tap status --file <key>` (both as processes).
 *   npx tsx bench/api.ts [--requests 100] [--runs 5]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { signedFetch } from '../src/ops/signed-fetch.js';
import { runTap } from '../test/helpers/cli.js';
import { median, summarize } from './stats.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' }, runs: { type: 'string', default: '5' } } });
const REQUESTS = Number(values.requests);
const RUNS = Number(values.runs);
const cwd = mkdtempSync(join(tmpdir(), 'tap-bench-api-'));
const env = { TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: '0' };
const tap = async (...args: string[]) => {
  const r = await runTap([...args, '--env', 'bench'], { cwd, env });
  if (r.code !== 0) throw new Error(`tap ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

try {
  await tap('deploy', '--json');
  const file = join(cwd, 'bench.ndjson');
  writeFileSync(file, `${Array.from({ length: 100 }, (_, i) => JSON.stringify({ shipment_id: `s${i}`, status: 'delivered', timestamp: '2026-01-01T00:00:00Z' })).join('\n')}\n`);
  await tap('upload', file, '--wait', '--json');
  const url = (JSON.parse(await tap('api', 'url', '--json')) as { url: string }).url;
  const credentials = { accessKeyId: 'tap-local', secretAccessKey: 'tap-local' };
  const iam = new IAMClient({ endpoint: url.slice(0, url.indexOf('/_aws/')), region: 'us-east-1', credentials });
  await iam.send(new CreateUserCommand({ UserName: 'bench-partner' }));
  const made = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench-partner' }))).AccessKey!;
  iam.destroy();
  const partner = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };

  const get = async (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const started = performance.now();
    const res = await signedFetch({ url: `${url}files/bench.ndjson`, region: 'us-east-1', credentials });
    if (res.status !== 200) throw new Error(`GET /files/bench.ndjson: ${res.status} ${res.text}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 5; i++) await get(credentials); // warm workers and connections
  const samples: number[] = [];
  const partnerSamples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    samples.push(await get(credentials));
    partnerSamples.push(await get(partner));
  }
  const line = (what: string, values: number[]) => `signed GET /files/{key} round trip, ${what}: p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms (n=${REQUESTS})`;
  console.log(line('built-in key tap-local', samples));
  console.log(line('partner key from the local IAM', partnerSamples));

  const wall = async (...args: string[]) => {
    const started = performance.now();
    await tap(...args);
    return performance.now() - started;
  };
  const viaApi: number[] = [];
  const viaStatus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    viaApi.push(await wall('api', 'get', '/files/bench.ndjson', '--json'));
    viaStatus.push(await wall('status', '--file', 'bench.ndjson', '--json'));
  }
  console.log(summarize('tap api get /files/bench.ndjson', viaApi));
  console.log(summarize('tap status --file bench.ndjson', viaStatus));
  console.log(`ratio api get / status --file: ${(median(viaApi) / median(viaStatus)).toFixed(2)}`);
} finally {
  await runTap(['local', 'stop'], { cwd, env });
}
