/** A distributed Map survives a restart of the local AWS (graceful or SIGKILL): the same map run carries on, children done before it are not run again. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFunction, eventually } from '../helpers/lambda.js';
import { listening, startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished, history, types } from '../helpers/sfn.js';

vi.setConfig({ testTimeout: 180_000 });

let running: LocalHarness | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Marks each item it runs in a file of its own (worker memory does not survive a restart). */
const MARKING = `import { appendFileSync } from 'node:fs';
  export const handler = async (e) => {
    for (const item of e.Items) appendFileSync(e.BatchInput.dir + '/' + item.id, 'x');
    await new Promise((r) => setTimeout(r, 200));
    return { ids: e.Items.map((i) => i.id) };
  };`;

type Config = { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

/** 60 items in batches of 3, 2 at a time; returns once 5 batches succeeded, with the run still going. */
async function startRun(config: Config, dir: string): Promise<{ executionArn: string; mapRunArn: string }> {
  await createFunction(new LambdaClient(config), 'marking', { 'index.mjs': MARKING }, { Timeout: 10 });
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'items.jsonl', Body: Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i })).join('\n') }));
  const sfn = new SFNClient(config);
  const arn = await createMachine(sfn, 'resumable', {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'data', Key: 'items.jsonl' } },
        ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { 'dir.$': '$.dir' } },
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Mark',
          States: { Mark: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'marking', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
        },
        Next: 'Done',
      },
      Done: { Type: 'Pass', Parameters: { 'batches.$': 'States.ArrayLength($)' }, End: true },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ dir }) }));
  const mapRunArn = await eventually(async () => (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]?.mapRunArn, { timeoutMs: 60_000, intervalMs: 50 });
  await eventually(async () => ((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).executionCounts!.succeeded! >= 5 ? true : undefined), { timeoutMs: 90_000, intervalMs: 50 });
  return { executionArn: executionArn!, mapRunArn: mapRunArn! };
}

/** After the restart: the run finished as one map run, every item ran, at most `twice` items ran again. */
async function expectCarriedOn(local: LocalHarness, ids: { executionArn: string; mapRunArn: string }, dir: string, twice: number): Promise<void> {
  const sfn = new SFNClient(local.clientConfig);
  const done = await finished(sfn, ids.executionArn, 150_000);
  expect(done.status, done.cause).toBe('SUCCEEDED');
  expect(JSON.parse(done.output!)).toEqual({ batches: 20 });
  const runs = (await sfn.send(new ListMapRunsCommand({ executionArn: ids.executionArn }))).mapRuns!;
  expect(runs.map((r) => r.mapRunArn)).toEqual([ids.mapRunArn]);
  const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: ids.mapRunArn }));
  expect(d.status).toBe('SUCCEEDED');
  expect(d.itemCounts).toMatchObject({ total: 60, succeeded: 60, failed: 0, pending: 0, running: 0 });
  expect(d.executionCounts).toMatchObject({ total: 20, succeeded: 20 });
  const marks = Array.from({ length: 60 }, (_, i) => readFileSync(join(dir, String(i)), 'utf8').length);
  expect(marks.every((m) => m >= 1)).toBe(true);
  expect(marks.filter((m) => m > 1).length).toBeLessThanOrEqual(twice);
  expect(types(await history(sfn, ids.executionArn)).filter((t) => t === 'MapRunStarted')).toHaveLength(1);
}

describe('a restart of the local AWS during a distributed Map', () => {
  it('stopped: the map run carries on; only the batches in flight at the stop (2 × 3 items) run again', async () => {
    running = await startLocal();
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-restart-'));
    const ids = await startRun(running.clientConfig, dir);
    await running.stop();
    expect(readdirSync(dir).length).toBeLessThan(60);
    running = await startLocal({ dataDir: running.dataDir });
    await expectCarriedOn(running, ids, dir, 6);
  });

  it('killed with SIGKILL: the map run carries on from its progress log; succeeded batches are not run again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-map-kill-'));
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-kill-marks-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ids: { executionArn: string; mapRunArn: string };
    try {
      const endpoint = await listening(child);
      ids = await startRun({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } }, dir);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(readdirSync(dir).length).toBeLessThan(60);
    running = await startLocal({ dataDir });
    // In flight at the kill (2 batches), plus a batch or two that finished but whose log line had not reached the disk.
    await expectCarriedOn(running, ids, dir, 12);
  });
});

