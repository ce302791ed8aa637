/**
 * Big files at scale, with the real `bin/tap` on the local AWS and the default threshold (so these go
 * through the distributed map): a 1,000,000-record NDJSON file (~246 MB) with 1 % bad records and a
 * 300,000-row CSV end SUCCESS with exact counts, the local AWS's RSS staying bounded (sampled from
 * /proc through the run); and a run whose local AWS is killed (SIGKILL) mid-map and started again ends
 * with every record written exactly once (the table's items for that file counted).
 *   npm run build && npm run test:scale -- test/scale/big-file.test.ts
 * Measured once (2 cores, load average 1–7): the 1M file took 557 s from upload to SUCCESS with the
 * local AWS's RSS peaking at 451 MiB; the 300,000-row CSV 172 s (316 MiB); the kill-and-restart run
 * (200,000 records) 203 s. About 16 minutes in all, with the deploys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigFile } from '../helpers/big-files.js';
import { parsed, runTap, tapWorkspace } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

const { cwd, env, tap, stop } = tapWorkspace('scale-big', { env: 'scale' });
let outputs: Record<string, string> = {};
const endpoint = () => JSON.parse(readFileSync(join(env.TAP_LOCAL_DIR!, 'server.json'), 'utf8')) as { pid: number; endpoint: string };
const config = () => ({ endpoint: endpoint().endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

/** Items of the events table from one file version, counted by a paginated Scan (Select COUNT). */
async function countEvents(key: string, version: string): Promise<number> {
  const ddb = new DynamoDBClient(config());
  let count = 0;
  let start: Record<string, any> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: outputs.ShipmentEventsTableName, Select: 'COUNT', FilterExpression: 'source_key = :k AND source_version = :v', ExpressionAttributeValues: { ':k': { S: key }, ':v': { S: version } }, ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The local AWS's resident memory, sampled every 500 ms until stopped. */
function sampleRss(): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${endpoint().pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // between a kill and a restart
    }
  }, 500);
  return { stop: () => (clearInterval(timer), peak) };
}

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
}, 300_000);

afterAll(async () => {
  await stop();
});

describe('big files at scale', () => {
  it.each([
    { format: 'ndjson' as const, count: 1_000_000 },
    { format: 'csv' as const, count: 300_000 },
  ])('$count $format records with 1 % bad: SUCCESS with exact counts, RSS bounded', async ({ format, count }) => {
    const path = join(cwd, `scale-${count}.${format}`);
    const { bad, bytes } = await writeBigFile(path, format, count, 0.01);
    const rss = sampleRss();
    const started = Date.now();

    const up = await tap('upload', path, '--wait', '--timeout', '25m', '--json');

    const peak = rss.stop();
    expect(up.code, up.stderr.slice(-3000)).toBe(0);
    const [outcome] = parsed(up).outcomes;
    expect(outcome.run).toMatchObject({ status: 'SUCCESS', recordsProcessed: count - bad, recordsRejected: bad });
    expect(outcome.run.executionArn).toContain(':execution:tap-scale-big-file:');
    expect(await countEvents(outcome.key, outcome.versionId)).toBe(count - bad);
    console.log(`${count} ${format} records (${(bytes / 1e6).toFixed(0)} MB): ${((Date.now() - started) / 1000).toFixed(0)} s, local AWS peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    // Bounded: the local AWS never holds the file (its size as JS strings would be ~2× its bytes).
    expect(peak).toBeLessThan(Math.min(1.5 * 2 ** 30, bytes * 2 + 600 * 2 ** 20));
  }, 1_600_000);

  it('the local AWS killed mid-run and started again: every record written once', async () => {
    const count = 200_000;
    const path = join(cwd, 'restart.ndjson');
    const { bad } = await writeBigFile(path, 'ndjson', count, 0.01);
    const up = await tap('upload', path, '--json');
    expect(up.code, up.stderr).toBe(0);
    const { key, versionId } = parsed(up).files[0];

    // Arrange: wait until the map is writing, then kill the local AWS outright.
    await eventually(async () => {
      const s = parsed(await tap('status', '--file', key, '--json'));
      return s.progress?.phase === 'writing' && s.progress.recordsWritten > 0 ? s : undefined;
    }, { timeoutMs: 600_000, intervalMs: 1000, what: 'the map writing' });
    process.kill(endpoint().pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));

    // Act: start it again (any tap command does), and let the run carry on.
    const started = await runTap(['local', 'start', '--json'], { cwd, env });
    expect(started.code, started.stderr).toBe(0);
    const done = await eventually(async () => {
      const s = parsed(await tap('status', '--file', key, '--json'));
      return s.runs?.[0]?.status === 'SUCCESS' || s.runs?.[0]?.status === 'FAILED' ? s.runs[0] : undefined;
    }, { timeoutMs: 900_000, intervalMs: 3000, what: 'the run to end after the restart' });

    expect(done).toMatchObject({ status: 'SUCCESS', recordsProcessed: count - bad, recordsRejected: bad });
    expect(await countEvents(key, versionId)).toBe(count - bad);
  }, 1_600_000);
});
