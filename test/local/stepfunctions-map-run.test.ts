/** Distributed Map on the local AWS: ItemReader (JSONL, CSV, JSON), batching, concurrency, tolerated failures, ResultWriter, map run APIs. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { createFunction } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished, history, runToEnd, types } from '../helpers/sfn.js';

vi.setConfig({ testTimeout: 120_000 });

let local: LocalHarness;
let sfn: SFNClient;
let s3: S3Client;
const BUCKET = 'items';

/**
 * Measures how many invocations run at once: each leaves a file in a shared folder while it runs
 * and reports how many it saw (a lower bound of those in flight, never more).
 */
const GAUGE = `import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
  import { randomUUID } from 'node:crypto';
  export const handler = async (e) => {
    mkdirSync(e.dir, { recursive: true });
    const mine = e.dir + '/' + randomUUID();
    writeFileSync(mine, '');
    await new Promise((r) => setTimeout(r, e.ms));
    const seen = readdirSync(e.dir).length;
    rmSync(mine);
    return { seen };
  };`;

beforeAll(async () => {
  local = await startLocal();
  sfn = new SFNClient(local.clientConfig);
  s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await createFunction(new LambdaClient(local.clientConfig), 'gauge', { 'index.mjs': GAUGE }, { Timeout: 60 });
  await createFunction(new LambdaClient(local.clientConfig), 'work', { 'index.mjs': 'export const handler = async (e) => { const items = e.Items ?? [e]; if (items.some((i) => i.fail === true || i.fail === "true")) { const err = new Error("item failed"); err.name = "ItemFailed"; throw err; } return { n: items.length, ids: items.map((i) => i.id), batch: e.BatchInput ?? null }; };' });
}, 60_000);
afterAll(() => local.stop());

const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const jsonl = (n: number, extra: (i: number) => object = () => ({})) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, ...extra(i) })).join('\n') + '\n';

function distributedMap(extra: object, processor: object = lambdaProcessor()) {
  return {
    StartAt: 'Each',
    States: {
      Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor }, End: true, ...extra },
    },
  };
}
function lambdaProcessor() {
  return { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'work', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } } };
}
const reader = (key: string, config: object) => ({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: config, Parameters: { Bucket: BUCKET, Key: key } });

describe('reading items from S3', () => {
  it('JSONL with batching: every item once, in batches of MaxItemsPerBatch with BatchInput', async () => {
    await put('small.jsonl', jsonl(25));
    const arn = await createMachine(sfn, 'jsonl-batched', distributedMap({
      ItemReader: reader('small.jsonl', { InputType: 'JSONL' }),
      ItemBatcher: { MaxItemsPerBatch: 10, BatchInput: { 'run.$': '$.run' } },
      MaxConcurrency: 2,
    }));
    const run = await runToEnd(sfn, arn, { run: 'r1' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const out = JSON.parse(run.output!);
    expect(out.map((o: any) => o.n)).toEqual([10, 10, 5]);
    expect(out.flatMap((o: any) => o.ids)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(out[0].batch).toEqual({ run: 'r1' });
    const events = await history(sfn, run.executionArn);
    expect(types(events)).toEqual(expect.arrayContaining(['MapStateEntered', 'MapRunStarted', 'MapRunSucceeded', 'MapStateExited', 'ExecutionSucceeded']));
    const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn: run.executionArn }));
    expect(mapRuns).toHaveLength(1);
    expect(mapRuns![0]!.mapRunArn).toMatch(/^arn:aws:states:[a-z0-9-]+:\d{12}:mapRun:jsonl-batched\/Each:[0-9a-f-]{36}$/);
    const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0]!.mapRunArn }));
    expect(d.status).toBe('SUCCEEDED');
    expect(d.itemCounts).toMatchObject({ total: 25, succeeded: 25, failed: 0, pending: 0, running: 0 });
    expect(d.executionCounts).toMatchObject({ total: 3, succeeded: 3 });
    expect(d.maxConcurrency).toBe(2);
  });
});

describe('running children', () => {
  it('never has more than MaxConcurrency children in flight; DescribeMapRun counts them while it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-gauge-'));
    await put('gauge.jsonl', jsonl(12));
    const arn = await createMachine(sfn, 'bounded', distributedMap(
      { ItemReader: reader('gauge.jsonl', { InputType: 'JSONL' }), ItemSelector: { 'dir.$': '$.dir', ms: 300, 'index.$': '$$.Map.Item.Index' }, MaxConcurrency: 3 },
      { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'gauge', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } } },
    ));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ dir }) }));
    const mapRunArn = await eventually(async () => (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]?.mapRunArn, { timeoutMs: 30_000, intervalMs: 50 });
    let running = 0;
    let sawRunning = false;
    for (;;) {
      const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
      running = Math.max(running, d.executionCounts!.running!);
      if (d.executionCounts!.running! > 0) {
        sawRunning = true;
        const c = d.itemCounts!;
        expect(c.pending! + c.running! + c.succeeded! + c.failed!).toBe(12);
        expect(c.total).toBe(12);
      }
      if (d.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await finished(sfn, executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    const seen = JSON.parse(done.output!).map((o: { seen: number }) => o.seen);
    expect(seen).toHaveLength(12);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(2);
    expect(sawRunning).toBe(true);
    expect(running).toBeLessThanOrEqual(3);
  });
});

describe('ResultWriter', () => {
  it('writes SUCCEEDED_0.json and manifest.json under <Prefix>/<map run id>/ and returns where', async () => {
    await put('rw.jsonl', jsonl(5));
    const arn = await createMachine(sfn, 'written', distributedMap({
      ItemReader: reader('rw.jsonl', { InputType: 'JSONL' }),
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, 'Prefix.$': '$.prefix' } },
    }));
    const run = await runToEnd(sfn, arn, { prefix: 'results' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const out = JSON.parse(run.output!);
    const runId = out.MapRunArn.split(':').pop();
    expect(out.ResultWriterDetails).toEqual({ Bucket: BUCKET, Key: `results/${runId}/manifest.json` });
    const read = async (key: string) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString());
    const manifest = await read(out.ResultWriterDetails.Key);
    expect(manifest.DestinationBucket).toBe(BUCKET);
    expect(manifest.MapRunArn).toBe(out.MapRunArn);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toEqual([{ Key: `results/${runId}/SUCCEEDED_0.json`, Size: expect.any(Number) }]);
    const results = await read(manifest.ResultFiles.SUCCEEDED[0].Key);
    expect(results).toHaveLength(5);
    const first = results.find((r: any) => JSON.parse(r.Input).id === 0);
    expect(first).toMatchObject({ Status: 'SUCCEEDED', InputDetails: { Included: true }, OutputDetails: { Included: true }, RedriveCount: 0 });
    expect(JSON.parse(first.Output)).toEqual({ n: 1, ids: [0], batch: null });
    expect(first.ExecutionArn).toMatch(/:execution:written\/Each:[0-9a-f-]{36}$/);
    expect(first.StateMachineArn).toMatch(/:stateMachine:written\/Each$/);
    const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: out.MapRunArn }));
    expect(d.itemCounts).toMatchObject({ total: 5, succeeded: 5, resultsWritten: 5 });
  });
});
