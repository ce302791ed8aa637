/** A distributed Map survives a restart of the local AWS: the same map run carries on, children done before it are not run again. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFunction, eventually } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
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

describe('a restart of the local AWS during a distributed Map', () => {
  it('carries the map run on: succeeded batches are not run again, every item is done, the counts add up', async () => {
    running = await startLocal();
    const dir = mkdtempSync(join(tmpdir(), 'tap-map-restart-'));
    await createFunction(new LambdaClient(running.clientConfig), 'marking', { 'index.mjs': MARKING }, { Timeout: 10 });
    const s3 = new S3Client({ ...running.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'items.jsonl', Body: Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i })).join('\n') }));
    const sfn = new SFNClient(running.clientConfig);
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

    // Act: stop the local AWS mid-run and start it again on the same data.
    await running.stop();
    const before = readdirSync(dir).length;
    expect(before).toBeLessThan(60);
    running = await startLocal({ dataDir: running.dataDir });
    const sfn2 = new SFNClient(running.clientConfig);
    const done = await finished(sfn2, executionArn!, 150_000);

    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ batches: 20 });
    const runs = (await sfn2.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect(runs.map((r) => r.mapRunArn)).toEqual([mapRunArn]);
    const d = await sfn2.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(d.status).toBe('SUCCEEDED');
    expect(d.itemCounts).toMatchObject({ total: 60, succeeded: 60, failed: 0, pending: 0, running: 0 });
    expect(d.executionCounts).toMatchObject({ total: 20, succeeded: 20 });
    // Every item ran; only the batches in flight at the stop (at most MaxConcurrency = 2, 3 items each) ran twice.
    const marks = Array.from({ length: 60 }, (_, i) => readFileSync(join(dir, String(i)), 'utf8').length);
    expect(marks.every((m) => m >= 1)).toBe(true);
    expect(marks.filter((m) => m > 1).length).toBeLessThanOrEqual(6);
    expect(types(await history(sfn2, executionArn!)).filter((t) => t === 'MapRunStarted')).toHaveLength(1);
  });
});
