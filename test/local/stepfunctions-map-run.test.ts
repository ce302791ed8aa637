/** Distributed Map on the local AWS: ItemReader (JSONL, CSV, JSON), batching, concurrency, tolerated failures, ResultWriter, map run APIs. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeMapRunCommand, ListExecutionsCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand, UpdateMapRunCommand } from '@aws-sdk/client-sfn';
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
  await createFunction(new LambdaClient(local.clientConfig), 'gauge', { 'index.mjs': GAUGE }, { Timeout: 10 });
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
/** The gauge through lambda:invoke. */
const GAUGE_PROCESSOR = {
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'gauge', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
};
const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
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
    const children = await sfn.send(new ListExecutionsCommand({ mapRunArn: mapRuns![0]!.mapRunArn, maxResults: 2 }));
    expect(children.executions).toHaveLength(2);
    const rest = await sfn.send(new ListExecutionsCommand({ mapRunArn: mapRuns![0]!.mapRunArn, nextToken: children.nextToken }));
    const all = [...children.executions!, ...rest.executions!];
    expect(all.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(all.reduce((n, e) => n + e.itemCount!, 0)).toBe(25);
    expect(all[0]!.executionArn).toMatch(/:execution:jsonl-batched\/Each:[0-9a-f-]{36}$/);
  });
});

describe('more readers', () => {
  it('CSV with the header in the first row: values are strings, quoted fields and CRLF handled', async () => {
    await put('rows.csv', 'id,name,note\r\n1,ann,"a, b"\r\n2,bob,"say ""hi"""\r\n3,cy,\r\n');
    const arn = await createMachine(sfn, 'csv-first-row', distributedMap({ ItemReader: reader('rows.csv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }) }, PASS));
    const run = await runToEnd(sfn, arn);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output!)).toEqual([
      { id: '1', name: 'ann', note: 'a, b' },
      { id: '2', name: 'bob', note: 'say "hi"' },
      { id: '3', name: 'cy', note: '' },
    ]);
  });

  it('CSV with GIVEN headers (every row is data), MaxItems, and ItemSelector with the item index, value and an intrinsic', async () => {
    await put('given.csv', 'a,1\nb,2\nc,3\nd,4\n');
    const arn = await createMachine(sfn, 'csv-given', distributedMap({
      ItemReader: reader('given.csv', { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['letter', 'digit'], MaxItems: 3 }),
      ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value.letter', 'tag.$': '$.tag', 'label.$': "States.Format('{}-{}', $.tag, $$.Map.Item.Value.digit)" },
    }, PASS));
    const run = await runToEnd(sfn, arn, { tag: 't' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output!)).toEqual([
      { i: 0, v: 'a', tag: 't', label: 't-1' },
      { i: 1, v: 'b', tag: 't', label: 't-2' },
      { i: 2, v: 'c', tag: 't', label: 't-3' },
    ]);
  });

  it('a JSON array object; ItemsPath over the input when there is no reader, batched by bytes', async () => {
    await put('list.json', JSON.stringify([{ id: 'x' }, { id: 'y' }]));
    const fromS3 = await runToEnd(sfn, await createMachine(sfn, 'json-array', distributedMap({ ItemReader: reader('list.json', { InputType: 'JSON' }) }, PASS)));
    expect(JSON.parse(fromS3.output!)).toEqual([{ id: 'x' }, { id: 'y' }]);
    const fromInput = await runToEnd(sfn, await createMachine(sfn, 'items-path', distributedMap({ ItemsPath: '$.things', ItemBatcher: { MaxInputBytesPerBatch: 40 } }, PASS)), { things: ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc'] });
    // {"Items":["aaaaaaaaaa","bbbbbbbbbb"]} is 37 bytes; a third item would make it 50.
    expect(JSON.parse(fromInput.output!)).toEqual([{ Items: ['aaaaaaaaaa', 'bbbbbbbbbb'] }, { Items: ['cccccccccc'] }]);
  });

  it('s3:listObjectsV2: one item per object under the prefix, as AWS shapes them', async () => {
    for (const k of ['a', 'b', 'c']) await put(`listed/${k}.txt`, k.repeat(3));
    await put('unlisted.txt', 'x');
    const run = await runToEnd(sfn, await createMachine(sfn, 'listing', distributedMap({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: BUCKET, Prefix: 'listed/' } } }, PASS)));
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const items = JSON.parse(run.output!);
    expect(items.map((i: any) => i.Key)).toEqual(['listed/a.txt', 'listed/b.txt', 'listed/c.txt']);
    expect(items[0]).toEqual({ Etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), Key: 'listed/a.txt', LastModified: expect.any(Number), Size: 3, StorageClass: 'STANDARD' });
  });

  it('a malformed line fails the Map with States.ItemReaderFailed before any child runs; so does a missing object', async () => {
    await put('bad.jsonl', '{"id":1}\n{"id":2}\n{"id": oops}\n');
    const run = await runToEnd(sfn, await createMachine(sfn, 'bad-line', distributedMap({ ItemReader: reader('bad.jsonl', { InputType: 'JSONL' }) })));
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.ItemReaderFailed');
    expect(run.cause).toMatch(/Line 3/);
    expect(types(await history(sfn, run.executionArn))).toContain('MapRunFailed');
    const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn: run.executionArn }));
    const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0]!.mapRunArn }));
    expect(d.status).toBe('FAILED');
    expect(d.executionCounts!.succeeded! + d.executionCounts!.failed!).toBe(0);

    const missing = await runToEnd(sfn, await createMachine(sfn, 'missing-object', distributedMap({ ItemReader: reader('nope.jsonl', { InputType: 'JSONL' }) })));
    expect(missing.error).toBe('States.ItemReaderFailed');
    expect(missing.cause).toMatch(/NoSuchKey/);
  });

  it('a CSV row with the wrong number of fields fails with States.ItemReaderFailed', async () => {
    await put('ragged.csv', 'a,b\n1,2\n3\n');
    const run = await runToEnd(sfn, await createMachine(sfn, 'ragged', distributedMap({ ItemReader: reader('ragged.csv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }) })));
    expect(run.error).toBe('States.ItemReaderFailed');
  });
});

describe('tolerated failures', () => {
  const failing = async (name: string, extra: object, input: object = {}) => {
    await put(`${name}.jsonl`, jsonl(10, (i) => ({ fail: i < 2 })));
    return runToEnd(sfn, await createMachine(sfn, name, distributedMap({ ItemReader: reader(`${name}.jsonl`, { InputType: 'JSONL' }), ...extra })), input);
  };

  it('2 of 10 items failing: within ToleratedFailurePercentage 20 the Map succeeds, failed children show as errors', async () => {
    const run = await failing('tolerate-20', { ToleratedFailurePercentage: 20 });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const out = JSON.parse(run.output!);
    expect(out.slice(0, 2).map((o: any) => o.Error)).toEqual(['ItemFailed', 'ItemFailed']);
    expect(out.slice(2).every((o: any) => o.n === 1)).toBe(true);
    const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn: run.executionArn }));
    const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0]!.mapRunArn }));
    expect(d.itemCounts).toMatchObject({ total: 10, succeeded: 8, failed: 2 });
    expect(d.toleratedFailurePercentage).toBe(20);
  });

  it('over ToleratedFailurePercentage (10) or ToleratedFailureCountPath (1): States.ExceedToleratedFailureThreshold, MapRunFailed', async () => {
    for (const [name, extra] of [['tolerate-10', { ToleratedFailurePercentage: 10 }], ['tolerate-1', { ToleratedFailureCountPath: '$.count' }]] as const) {
      const run = await failing(name, { MaxConcurrency: 1, ...extra }, { count: 1 });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('States.ExceedToleratedFailureThreshold');
      const failed = (await history(sfn, run.executionArn)).find((e) => e.type === 'MapRunFailed');
      expect(failed?.mapRunFailedEventDetails?.error).toBe('States.ExceedToleratedFailureThreshold');
    }
  });

  it('no tolerance set: the first failure fails the Map, and Catch catches it', async () => {
    await put('strict.jsonl', jsonl(4, (i) => ({ fail: i === 3 })));
    const def = distributedMap({ ItemReader: reader('strict.jsonl', { InputType: 'JSONL' }) }) as any;
    def.States.Each.Catch = [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.error', Next: 'Caught' }];
    delete def.States.Each.End;
    def.States.Each.Next = 'Done';
    def.States.Done = { Type: 'Succeed' };
    def.States.Caught = { Type: 'Pass', End: true };
    const run = await runToEnd(sfn, await createMachine(sfn, 'strict', def));
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(run.output!).error.Error).toBe('States.ExceedToleratedFailureThreshold');
  });
});

describe('definitions AWS refuses', () => {
  const create = (name: string, definition: object) => sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/tap-states' })).catch((e) => e);
  const refused = async (name: string, extra: object, match: RegExp) => {
    const error = await create(name, distributedMap(extra));
    expect(error.name).toBe('InvalidDefinition');
    expect(error.message).toMatch(match);
  };
  it('MaxItemsPerBatch 0, MaxInputBytesPerBatch over 256 KiB, an empty ItemBatcher', async () => {
    await refused('bad-batch-0', { ItemBatcher: { MaxItemsPerBatch: 0 } }, /MaxItemsPerBatch/);
    await refused('bad-batch-bytes', { ItemBatcher: { MaxInputBytesPerBatch: 262_145 } }, /MaxInputBytesPerBatch/);
    await refused('bad-batch-empty', { ItemBatcher: {} }, /ItemBatcher/);
  });
  it('a bad ReaderConfig: unknown InputType, CSV without CSVHeaderLocation, GIVEN without CSVHeaders, MaxItems and MaxItemsPath together', async () => {
    await refused('bad-type', { ItemReader: reader('k', { InputType: 'XML' }) }, /InputType/);
    await refused('bad-csv', { ItemReader: reader('k', { InputType: 'CSV' }) }, /CSVHeaderLocation/);
    await refused('bad-given', { ItemReader: reader('k', { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' }) }, /CSVHeaders/);
    await refused('bad-max', { ItemReader: reader('k', { InputType: 'JSONL', MaxItems: 1, MaxItemsPath: '$.n' }) }, /MaxItems/);
  });
  it('ToleratedFailurePercentage over 100, a bad ExecutionType, a ResultWriter without Bucket, an ItemReader on an inline Map', async () => {
    await refused('bad-pct', { ToleratedFailurePercentage: 101 }, /ToleratedFailurePercentage/);
    const def = distributedMap({}) as any;
    def.States.Each.ItemProcessor.ProcessorConfig.ExecutionType = 'FAST';
    expect((await create('bad-exec-type', def)).name).toBe('InvalidDefinition');
    await refused('bad-writer', { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Prefix: 'p' } } }, /Bucket/);
    const inline = { StartAt: 'M', States: { M: { Type: 'Map', ItemReader: reader('k', { InputType: 'JSONL' }), ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } };
    expect((await create('inline-reader', inline)).name).toBe('InvalidDefinition');
  });
});

describe('limits', () => {
  it('without a ResultWriter the outputs must fit in 256 KiB: States.DataLimitExceeded, which a ResultWriter avoids', async () => {
    await put('wide.jsonl', jsonl(300, () => ({ pad: 'p'.repeat(1000) })));
    const run = await runToEnd(sfn, await createMachine(sfn, 'too-wide', distributedMap({ ItemReader: reader('wide.jsonl', { InputType: 'JSONL' }) }, PASS)));
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.DataLimitExceeded');
    const written = await runToEnd(sfn, await createMachine(sfn, 'wide-written', distributedMap({
      ItemReader: reader('wide.jsonl', { InputType: 'JSONL' }),
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, Prefix: 'wide' } },
    }, PASS)));
    expect(written.status, written.cause).toBe('SUCCEEDED');
  });

  it('MapRunStarted carries the map run ARN; the Map state is entered and exited as a Map', async () => {
    await put('events.jsonl', jsonl(2));
    const run = await runToEnd(sfn, await createMachine(sfn, 'events', distributedMap({ ItemReader: reader('events.jsonl', { InputType: 'JSONL' }), Label: 'Rows' }, PASS)));
    const events = await history(sfn, run.executionArn);
    const started = events.find((e) => e.type === 'MapRunStarted');
    expect(started?.mapRunStartedEventDetails?.mapRunArn).toMatch(/:mapRun:events\/Rows:[0-9a-f-]{36}$/);
    const t = types(events);
    expect(t.indexOf('MapStateEntered')).toBeLessThan(t.indexOf('MapRunStarted'));
    expect(t.indexOf('MapRunSucceeded')).toBeLessThan(t.indexOf('MapStateExited'));
    expect(t.filter((x) => x?.startsWith('Task'))).toEqual([]);
  });
});

describe('StopExecution', () => {
  it('aborts the map run: MapRunAborted before ExecutionAborted, no more children start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-stop-'));
    await put('stop.jsonl', jsonl(50));
    const arn = await createMachine(sfn, 'stopped', distributedMap(
      { ItemReader: reader('stop.jsonl', { InputType: 'JSONL' }), ItemSelector: { 'dir.$': '$.dir', ms: 500 }, MaxConcurrency: 2 },
      GAUGE_PROCESSOR,
    ));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ dir }) }));
    const mapRunArn = await eventually(async () => (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]?.mapRunArn, { timeoutMs: 30_000, intervalMs: 50 });
    await eventually(async () => ((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).executionCounts!.succeeded! >= 2 ? true : undefined), { timeoutMs: 60_000 });
    await sfn.send(new StopExecutionCommand({ executionArn }));
    const done = await finished(sfn, executionArn!);
    expect(done.status).toBe('ABORTED');
    const t = types(await history(sfn, executionArn!));
    expect(t).toContain('MapRunAborted');
    expect(t.indexOf('MapRunAborted')).toBeLessThan(t.indexOf('ExecutionAborted'));
    const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(d.status).toBe('ABORTED');
    expect(d.itemCounts!.succeeded).toBeLessThan(50);
    expect(d.itemCounts!.running).toBe(0);
  });
});

describe('running children', () => {
  it('never has more than MaxConcurrency children in flight; DescribeMapRun counts them while it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-gauge-'));
    await put('gauge.jsonl', jsonl(12));
    const arn = await createMachine(sfn, 'bounded', distributedMap(
      { ItemReader: reader('gauge.jsonl', { InputType: 'JSONL' }), ItemSelector: { 'dir.$': '$.dir', ms: 300, 'index.$': '$$.Map.Item.Index' }, MaxConcurrency: 3 },
      GAUGE_PROCESSOR,
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
  it('UpdateMapRun raises MaxConcurrency of a running map run; a finished one cannot be updated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-update-'));
    await put('update.jsonl', jsonl(16));
    const arn = await createMachine(sfn, 'updated', distributedMap({ ItemReader: reader('update.jsonl', { InputType: 'JSONL' }), ItemSelector: { 'dir.$': '$.dir', ms: 400 }, MaxConcurrency: 1 }, GAUGE_PROCESSOR));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ dir }) }));
    const mapRunArn = await eventually(async () => (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]?.mapRunArn, { timeoutMs: 30_000, intervalMs: 50 });
    await eventually(async () => ((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).executionCounts!.succeeded! >= 1 ? true : undefined), { timeoutMs: 60_000, intervalMs: 50 });
    await sfn.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 3 }));
    expect((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).maxConcurrency).toBe(3);
    const done = await finished(sfn, executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    const seen = JSON.parse(done.output!).map((o: { seen: number }) => o.seen);
    expect(seen[0]).toBe(1);
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    await expect(sfn.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 5 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRunArn!.replace(/:[^:]*$/, ':00000000-0000-0000-0000-000000000000') }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('a line longer than 256 KiB fails with States.ItemReaderFailed', async () => {
    await put('long.jsonl', `{"id":1}\n{"pad":"${'x'.repeat(300_000)}"}\n`);
    const run = await runToEnd(sfn, await createMachine(sfn, 'long-line', distributedMap({ ItemReader: reader('long.jsonl', { InputType: 'JSONL' }) }, PASS)));
    expect(run.error).toBe('States.ItemReaderFailed');
    expect(run.cause).toMatch(/Line 2 is larger than 262144 bytes/);
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
