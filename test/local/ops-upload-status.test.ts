/**
 * `tap upload` and `tap status` operations against the local AWS (S3, SQS, DynamoDB), without the
 * processor: what the processor would write is seeded directly, so every outcome is deterministic.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataItem } from '../../src/handlers/ports.js';
import { UserError } from '../../src/ops/errors.js';
import { status, type FileStatus, type RecentStatus } from '../../src/ops/status.js';
import { upload } from '../../src/ops/upload.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createOpsPipeline, recordingReporter, type OpsPipeline } from '../helpers/ops-pipeline.js';

let local: LocalHarness;
let up: OpsPipeline;
let st: OpsPipeline;
let s3: S3Client;
let sqs: SQSClient;
const files = mkdtempSync(join(tmpdir(), 'tap-upload-files-'));

beforeAll(async () => {
  local = await startLocal();
  [up, st] = [await createOpsPipeline(local, 'opsup'), await createOpsPipeline(local, 'opsst')];
  s3 = await up.clients.s3();
  sqs = await up.clients.sqs();
}, 240_000);

afterAll(async () => {
  up?.clients.destroy();
  st?.clients.destroy();
  await local?.stop();
});

function file(name: string, bytes: number | string): string {
  const path = join(files, name);
  writeFileSync(path, typeof bytes === 'string' ? bytes : Buffer.alloc(bytes, 'x'));
  return path;
}

/** What the processor writes when it finishes a file version. */
function item(over: Partial<MetadataItem> & { filename: string }): MetadataItem {
  return {
    upload_timestamp: new Date().toISOString(),
    processing_status: 'SUCCESS',
    processing_duration_ms: 120,
    records_processed: 10,
    records_rejected: 0,
    file_size: 100,
    environment: 'test',
    bucket: 'b',
    processed_at: new Date().toISOString(),
    ...over,
  };
}

async function seed(ops: OpsPipeline, ...items: MetadataItem[]): Promise<void> {
  const docs = await ops.clients.documents();
  for (const i of items) await docs.send(new PutCommand({ TableName: ops.pipeline.metadataTable, Item: i }));
}

/** The body S3 sends to SQS for a new object. */
function s3Event(bucket: string, key: string, versionId?: string): string {
  return JSON.stringify({
    Records: [{ eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 10, ...(versionId && { versionId }) } } }],
  });
}

describe('tap upload (operation)', () => {
  it('uploads files under incoming/<prefix>/ and returns key, version id, size and time of each', async () => {
    // arrange
    const a = file('a.json', '[]');
    const b = file('b.csv', 'shipment_id,status,timestamp\n');
    const empty = file('empty.ndjson', '');
    // act
    const result = await upload(up.clients, up.pipeline, { inputs: [a, b, empty], cwd: files, prefix: '2026/01' }, recordingReporter());
    // assert
    expect(result.ok).toBe(true);
    expect(result.files.map((f) => f.key)).toEqual(['incoming/2026/01/a.json', 'incoming/2026/01/b.csv', 'incoming/2026/01/empty.ndjson']);
    for (const f of result.files) {
      expect(f.versionId).toBeTruthy();
      const head = await s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: f.key }));
      expect(head.VersionId).toBe(f.versionId);
      expect(head.ContentLength).toBe(f.size);
    }
    expect((await s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: 'incoming/2026/01/b.csv' }))).ContentType).toBe('text/csv');
  });

  it('uploads a large file in parallel parts, reporting bytes, rate and ETA', async () => {
    const big = file('big.ndjson', 23 * 1024 * 1024);
    const reporter = recordingReporter();
    const result = await upload(up.clients, up.pipeline, { inputs: [big], cwd: files, partSize: 5 * 1024 * 1024, progressIntervalMs: 0 }, reporter);
    expect(result.files[0]).toMatchObject({ key: 'incoming/big.ndjson', size: 23 * 1024 * 1024, parts: 5 });
    const progress = reporter.events.filter((e) => e.type === 'progress');
    // One per part but the last to finish, whose end is the `done` event. Parts run in parallel and
    // finish in any order, so each count is a sum of whole parts (5 MiB, or the last part's 3 MiB).
    const done = progress.map((e) => (e.type === 'progress' ? e.done : -1));
    expect(done).toHaveLength(4);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const MiB = 1024 * 1024;
    for (const [i, bytes] of done.entries()) expect([5 * (i + 1) * MiB, (5 * i + 3) * MiB]).toContain(bytes);
    expect(reporter.events.at(-1)).toMatchObject({ type: 'done', message: '[1/1] Uploaded incoming/big.ndjson' });
    expect(progress.some((e) => /MiB\/s, ETA/.test(e.message))).toBe(true);
    expect((await s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: 'incoming/big.ndjson' }))).ContentLength).toBe(23 * 1024 * 1024);
  });

  it('interrupted, aborts the multipart upload: no parts, no object, exit code 130', async () => {
    // arrange: parts one at a time, so the interrupt comes mid-upload
    const big = file('interrupted.json', 40 * 1024 * 1024);
    const controller = new AbortController();
    const reporter = { emit: (e: { type: string; done?: number }) => void (e.type === 'progress' && e.done && controller.abort()) };
    // act
    const error = await upload(up.clients, up.pipeline, { inputs: [big], cwd: files, partSize: 5 * 1024 * 1024, queueSize: 1, progressIntervalMs: 0, signal: controller.signal }, reporter).catch((e: unknown) => e);
    // assert
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(130);
    expect((error as Error).message).toMatch(/aborted and no parts were left behind/);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: up.pipeline.bucket, Prefix: 'incoming/interrupted.json' }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: 'incoming/interrupted.json' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('bad input: a clear message and nothing uploaded, not even the good files', async () => {
    const good = file('good-but-not-sent.json', '[]');
    await expect(upload(up.clients, up.pipeline, { inputs: [good, join(files, 'missing.json')], cwd: files, prefix: 'never' }, recordingReporter())).rejects.toThrow(/missing\.json: no such file/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: up.pipeline.bucket, Prefix: 'incoming/never/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it('--generate uploads a realistic file of N records and removes the temporary file', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'tap-gen-up-'));
    const result = await upload(up.clients, up.pipeline, { inputs: [], cwd: files, generate: { count: 250, badRatio: 0.2, seed: 3 }, tempDir }, recordingReporter());
    expect(result.generated).toMatchObject({ records: 250, valid: 200, invalid: 50 });
    expect(result.files[0]!.key).toMatch(/^incoming\/generated-\d{8}T\d{6}Z-250\.json$/);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: up.pipeline.bucket, Key: result.files[0]!.key }))).Body!.transformToString();
    expect(JSON.parse(body)).toHaveLength(250);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  describe('--wait', () => {
    it('follows each version to its metadata item: processed and rejected counts, or the error', async () => {
      const ok = file('wait-ok.json', '[1]');
      const bad = file('wait-bad.json', '[2]');
      const pending = upload(up.clients, up.pipeline, { inputs: [ok, bad], cwd: files, waitMs: 20_000 }, recordingReporter());
      // act: "the processor" records outcomes once the versions exist (an older item of the same key is not it)
      const versionOf = async (key: string) => {
        for (;;) {
          const head = await s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: key })).catch(() => undefined);
          if (head?.VersionId) return head.VersionId;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await seed(up, item({ filename: 'incoming/wait-ok.json', upload_timestamp: '2020-01-01T00:00:00.000Z', version_id: 'an-older-version' }));
      const [vOk, vBad] = await Promise.all([versionOf('incoming/wait-ok.json'), versionOf('incoming/wait-bad.json')]);
      await seed(
        up,
        item({ filename: 'incoming/wait-ok.json', version_id: vOk, records_processed: 90, records_rejected: 10 }),
        item({ filename: 'incoming/wait-bad.json', version_id: vBad, processing_status: 'FAILED', records_processed: 0, error_message: 'not JSON', quarantine_key: 'quarantine/wait-bad.json' }),
      );
      const result = await pending;
      // assert
      expect(result.ok).toBe(false);
      expect(result.outcomes).toMatchObject([
        { key: 'incoming/wait-ok.json', versionId: vOk, outcome: 'SUCCESS', run: { recordsProcessed: 90, recordsRejected: 10 } },
        { key: 'incoming/wait-bad.json', outcome: 'FAILED', run: { error: 'not JSON', quarantineKey: 'quarantine/wait-bad.json' } },
      ]);
    });

    it('reports a file whose message was dead-lettered', async () => {
      const f = file('wait-dlq.json', '[3]');
      const pending = upload(up.clients, up.pipeline, { inputs: [f], cwd: files, waitMs: 20_000 }, recordingReporter());
      let versionId: string | undefined;
      while (!versionId) {
        versionId = (await s3.send(new HeadObjectCommand({ Bucket: up.pipeline.bucket, Key: 'incoming/wait-dlq.json' })).catch(() => undefined))?.VersionId;
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: up.pipeline.dlqUrl, MessageBody: s3Event(up.pipeline.bucket, 'incoming/wait-dlq.json', versionId) }));
      const result = await pending;
      expect(result.outcomes).toMatchObject([{ outcome: 'DEAD_LETTERED', versionId }]);
      expect(result.ok).toBe(false);
    });

    it('gives up after the timeout', async () => {
      const f = file('wait-never.json', '[4]');
      const result = await upload(up.clients, up.pipeline, { inputs: [f], cwd: files, waitMs: 1_500 }, recordingReporter());
      expect(result.outcomes).toMatchObject([{ key: 'incoming/wait-never.json', outcome: 'TIMED_OUT' }]);
      expect(result.outcomes![0]!.waitedMs).toBeGreaterThanOrEqual(1_400);
      expect(result.ok).toBe(false);
    });
  });
});

describe('tap status (operation)', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

  beforeAll(async () => {
    const bucket = st.pipeline.bucket;
    await seed(
      st,
      item({ filename: 'incoming/orders.json', upload_timestamp: hoursAgo(3), version_id: 'v1', processing_status: 'FAILED', records_processed: 0, error_message: 'unexpected token', quarantine_key: 'quarantine/orders.json' }),
      item({ filename: 'incoming/orders.json', upload_timestamp: hoursAgo(1), version_id: 'v2', records_processed: 8, records_rejected: 2, processed_key: 'processed/orders.json.ndjson', rejected_key: 'rejected/orders.json.errors.ndjson' }),
      item({ filename: 'incoming/returns.csv', upload_timestamp: hoursAgo(2), records_processed: 5 }),
      item({ filename: 'incoming/old.json', upload_timestamp: hoursAgo(50), records_processed: 1 }),
      ...Array.from({ length: 30 }, (_, i) => item({ filename: `incoming/batch-${i}.json`, upload_timestamp: hoursAgo(4 + i / 100), records_processed: 1 })),
    );
    const rejects = [
      { record_number: 3, line: 4, field: 'shipment_id', reason: 'missing', record: { status: 'X' } },
      { record_number: 7, line: 8, field: 'timestamp', reason: 'not an ISO-8601 date-time: "yesterday"' },
    ];
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'rejected/orders.json.errors.ndjson', Body: rejects.map((r) => JSON.stringify(r)).join('\n') + '\n' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/waiting.json', Body: '[]' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/shipments-2026.json', Body: '[]' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: st.pipeline.dlqUrl, MessageBody: s3Event(bucket, 'incoming/stuck.json', 'v7') }));
  });

  it("shows a file's history newest first, where its outputs are and its first rejected records", async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'orders.json', limit: 20 }, recordingReporter())) as FileStatus;
    expect(result.key).toBe('incoming/orders.json');
    expect(result.runs.map((r) => [r.versionId, r.status])).toEqual([
      ['v2', 'SUCCESS'],
      ['v1', 'FAILED'],
    ]);
    expect(result.outputs).toEqual({ processed: `s3://${st.pipeline.bucket}/processed/orders.json.ndjson`, rejected: `s3://${st.pipeline.bucket}/rejected/orders.json.errors.ndjson` });
    expect(result.rejects).toMatchObject([
      { record_number: 3, field: 'shipment_id', reason: 'missing' },
      { record_number: 7, field: 'timestamp' },
    ]);
    expect(result.deadLettered).toEqual([]);
  });

  it('filters the history by status and limits it', async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'incoming/orders.json', status: 'FAILED', limit: 20 }, recordingReporter())) as FileStatus;
    expect(result.runs.map((r) => r.versionId)).toEqual(['v1']);
    expect(result.totalRuns).toBe(2);
  });

  it('without --dlq: counts the DLQ from its attributes and receives nothing', async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'stuck.json', limit: 20 }, recordingReporter())) as FileStatus;
    expect(result).toMatchObject({ deadLettered: [], dlq: { messages: 1, looked: false } });
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: st.pipeline.dlqUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1'); // this receive is the first
  });

  it('with --dlq: finds a dead-lettered message about the file, and leaves it visible in the DLQ', async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'stuck.json', limit: 20, lookInDlq: true }, recordingReporter())) as FileStatus;
    expect(result.known).toBe(true);
    expect(result.dlq).toEqual({ messages: 1, looked: true });
    expect(result.deadLettered).toMatchObject([{ files: [{ key: 'incoming/stuck.json', versionId: 'v7' }] }]);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: st.pipeline.dlqUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
    expect(again.Messages).toHaveLength(1);
  });

  it('says an uploaded file has not been processed yet', async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'waiting.json', limit: 20 }, recordingReporter())) as FileStatus;
    expect(result).toMatchObject({ known: true, totalRuns: 0, object: { size: 2 } });
  });

  it('an unknown key: says so and suggests the closest keys from the table and the bucket', async () => {
    const result = (await status(st.clients, st.pipeline, { file: 'shipments-2025.json', limit: 20 }, recordingReporter())) as FileStatus;
    expect(result.known).toBe(false);
    expect(result.suggestions[0]).toBe('incoming/shipments-2026.json');
    const typo = (await status(st.clients, st.pipeline, { file: 'ordrs.json', limit: 20 }, recordingReporter())) as FileStatus;
    expect(typo.suggestions).toContain('incoming/orders.json');
  });

  it('lists recent files newest first with totals over the window (both statuses merged)', async () => {
    const result = (await status(st.clients, st.pipeline, { limit: 3, sinceMs: 24 * 3_600_000 }, recordingReporter())) as RecentStatus;
    expect(result.runs.map((r) => r.key)).toEqual(['incoming/orders.json', 'incoming/returns.csv', 'incoming/orders.json']);
    // orders.json ran twice (FAILED, then SUCCESS): one file of two uploads, counted by its newest run.
    expect(result.totals).toEqual({ files: 32, uploads: 33, succeeded: 32, failed: 0, recordsProcessed: 8 + 5 + 30, recordsRejected: 2, capped: false });
    expect(result.dlqDepth).toBe(1);
  });

  it('uses the status index for --status, and the window for --since', async () => {
    const failed = (await status(st.clients, st.pipeline, { status: 'FAILED', limit: 20 }, recordingReporter())) as RecentStatus;
    expect(failed.runs.map((r) => [r.key, r.status])).toEqual([['incoming/orders.json', 'FAILED']]);
    const lastTwoHours = (await status(st.clients, st.pipeline, { sinceMs: 2.5 * 3_600_000, limit: 20 }, recordingReporter())) as RecentStatus;
    expect(lastTwoHours.totals.files).toBe(2);
    const all = (await status(st.clients, st.pipeline, { sinceMs: 7 * 86_400_000, limit: 20 }, recordingReporter())) as RecentStatus;
    expect([all.totals.files, all.totals.uploads]).toEqual([33, 34]);
  });
});
