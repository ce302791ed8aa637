/**
 * A handler time-out, end to end on the local AWS: the deployed stack's processor, its code replaced by
 * one that logs the file's key and hangs past its 1 s timeout; `tap logs --level error`, `--file KEY` and
 * `tap status --file KEY` (the operations) must all show it.
 */
import { LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/ops/log-lines.js';
import { logs } from '../../src/ops/logs.js';
import { status, type FileStatus } from '../../src/ops/status.js';
import { eventually, zipOf } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createOpsPipeline, recordingReporter, type OpsPipeline } from '../helpers/ops-pipeline.js';

/** Logs each announced key as the processor does (Powertools-style JSON, `s3_key`), then hangs or exits. */
const handler = (end: string) => `
exports.handler = async (event) => {
  for (const r of event.Records) {
    for (const o of JSON.parse(r.body).Records ?? []) {
      console.log(JSON.stringify({ level: 'INFO', message: 'processing', s3_key: decodeURIComponent(o.s3.object.key.replace(/\\+/g, ' ')) }));
    }
  }
  ${end}
};`;

let local: LocalHarness;
let ops: OpsPipeline;
let lambda: LambdaClient;
const VISIBILITY = 40;

beforeAll(async () => {
  local = await startLocal();
  // The stack's processor (JSON logs) with this code, a 1 s timeout and one message per batch; the
  // visibility timeout long enough that the retry is still ahead when the test looks.
  ops = await createOpsPipeline(local, 'opsfail', {
    withProcessor: true,
    visibilityTimeout: VISIBILITY,
    processor: { files: { 'index.js': handler('await new Promise(() => {});') }, timeout: 1, batchSize: 1 },
  });
  lambda = new LambdaClient(local.clientConfig);
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  ops?.clients.destroy();
  await local?.stop();
});

async function collect(options: { key?: string; level?: LogLine['level'] }): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  await logs(ops.clients, ops.pipeline, { sinceMs: 10 * 60_000, follow: false, onLine: (l) => void lines.push(l), ...options }, recordingReporter());
  return lines;
}

async function upload(key: string): Promise<number> {
  const s3 = await ops.clients.s3();
  const uploadedAt = Date.now();
  await s3.send(new PutObjectCommand({ Bucket: ops.pipeline.bucket, Key: key, Body: '{"shipment_id":"S1"}' }));
  return uploadedAt;
}

describe('a handler time-out is where people look', () => {
  it('logs --level error and --file KEY show the time-out; status --file says when the retry is due', async () => {
    const uploadedAt = await upload('incoming/slow.json');

    // tap logs --file KEY: the key's own line and, through its request id, the platform lines
    const aboutFile = await eventually(async () => {
      const lines = await collect({ key: 'incoming/slow.json' });
      return lines.some((l) => l.message === 'platform.runtimeDone') ? lines : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    // The stack's system log level is WARN: of the platform records, only runtimeDone (a time-out is a WARN one).
    expect(aboutFile.map((l) => l.message)).toEqual([expect.stringContaining('"s3_key":"incoming/slow.json"'), 'platform.runtimeDone']);
    expect(aboutFile[0]!.raw).toContain('incoming/slow.json');
    const requestId = aboutFile[0]!.requestId!;
    expect(aboutFile.map((l) => l.requestId)).toEqual([requestId, requestId]);
    expect((await collect({ key: 'incoming/slow.json', level: 'ERROR' })).map((l) => l.message)).toEqual(['platform.runtimeDone']);

    // tap logs --level error: the platform record of the timed-out invocation (it has no level of its own)
    const errors = (await collect({ level: 'ERROR' })).filter((l) => l.requestId === requestId);
    expect(errors.map((l) => [l.message, l.level])).toEqual([['platform.runtimeDone', 'ERROR']]);
    expect(errors[0]!.json?.['record']).toMatchObject({ status: 'timeout', metrics: { durationMs: 1000 } });
    // another key does not pick up this invocation's lines
    expect(await collect({ key: 'incoming/other.json' })).toEqual([]);

    // tap status --file KEY: not "not processed yet", but the time-out and the retry
    const result = (await status(ops.clients, ops.pipeline, { file: 'slow.json', limit: 10 }, recordingReporter())) as FileStatus;
    expect(result.totalRuns).toBe(0);
    expect(result.lastAttempt).toMatchObject({ outcome: 'timeout', detail: 'Task timed out after 1.00 seconds', requestId });
    const due = Date.parse(result.lastAttempt!.retryDueAt!);
    expect(due - Date.parse(result.lastAttempt!.startedAt)).toBe(VISIBILITY * 1000);
    expect(due).toBeGreaterThan(uploadedAt + (VISIBILITY - 5) * 1000);
    expect(due).toBeLessThan(Date.now() + VISIBILITY * 1000);
  }, 60_000);

  it('a crash (the runtime exits) is reported as one, with its error type', async () => {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: ops.functionName, ZipFile: zipOf({ 'index.js': handler('process.exit(3);') }) }));
    await upload('incoming/crash.json');
    const attempt = await eventually(async () => {
      const result = (await status(ops.clients, ops.pipeline, { file: 'crash.json', limit: 10 }, recordingReporter())) as FileStatus;
      return result.lastAttempt;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(attempt).toMatchObject({ outcome: 'crash', detail: 'Runtime.ExitError' });
    const errors = await collect({ key: 'incoming/crash.json', level: 'ERROR' });
    expect(errors.map((l) => l.json?.['record'])).toContainEqual(expect.objectContaining({ status: 'error', errorType: 'Runtime.ExitError' }));
  }, 60_000);
});
