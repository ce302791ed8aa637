/**
 * `tap dlq` and `tap logs` operations against the local AWS (SQS, CloudWatch Logs), with messages and
 * log lines put there directly, so each case is exact.
 */
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteMessageBatchCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dlqList, dlqPeek, dlqPurge } from '../../src/ops/dlq.js';
import { redrive } from '../../src/ops/dlq-redrive.js';
import { UserError } from '../../src/ops/errors.js';
import type { LogLine } from '../../src/ops/log-lines.js';
import { type PipelineLogLine, logs } from '../../src/ops/logs.js';
import { queueDepth } from '../../src/ops/queue-messages.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createOpsPipeline, recordingReporter, type OpsPipeline } from '../helpers/ops-pipeline.js';

let local: LocalHarness;
let ops: OpsPipeline;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocal();
  ops = await createOpsPipeline(local, 'opsdlq');
  sqs = await ops.clients.sqs();
}, 240_000);

afterAll(async () => {
  ops?.clients.destroy();
  await local?.stop();
});

const s3Event = (key: string, versionId: string, eventTime = new Date().toISOString()) =>
  JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', eventTime, s3: { bucket: { name: ops.pipeline.bucket }, object: { key, size: 10, versionId } } }] });

/** Messages about `keys` in the DLQ of the pipeline each belongs to (pod/… → the photo pipeline's). */
async function deadLetter(...keys: string[]): Promise<void> {
  for (const [i, key] of keys.entries()) {
    await sqs.send(new SendMessageCommand({ QueueUrl: key.startsWith('pod/') ? ops.pipeline.podDlqUrl : ops.pipeline.dlqUrl, MessageBody: s3Event(key, `v${i}`) }));
  }
}

const depth = async (url: string) => (await queueDepth(sqs, url)).visible;

describe('tap dlq (operations)', () => {
  // Not PurgeQueue: SQS allows one purge a minute per queue.
  beforeEach(async () => {
    for (const url of [ops.pipeline.dlqUrl, ops.pipeline.queueUrl, ops.pipeline.podDlqUrl!, ops.pipeline.podQueueUrl!]) {
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages.length) break;
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
    }
  });

  it('list: depth of both queues from their attributes; no message of either is received', async () => {
    await deadLetter('incoming/a.json', 'incoming/b.json');
    await sqs.send(new SendMessageCommand({ QueueUrl: ops.pipeline.queueUrl, MessageBody: s3Event('incoming/c.json', 'v') }));
    const result = await dlqList(ops.clients, ops.pipeline);
    expect(result.dlq.depth).toMatchObject({ visible: 2, retentionSeconds: 1_209_600 });
    expect(result.ingest.depth.visible).toBe(1);
    // neither queue was received from: each message's first receive is this one
    for (const url of [ops.pipeline.queueUrl, ops.pipeline.dlqUrl]) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(got.Messages?.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(url === ops.pipeline.queueUrl ? ['1'] : ['1', '1']);
      // Nothing left behind in the ingest queue: a later test would receive it.
      if (url === ops.pipeline.queueUrl) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
      }
    }
  });

  it('peek: shows the file, receive count and times, and leaves every message visible', async () => {
    await deadLetter('incoming/a.json', 'incoming/b.json', 'incoming/c.json');
    const result = await dlqPeek(ops.clients, ops.pipeline, { count: 2 });
    expect(result.messages).toHaveLength(2);
    expect(result.messages[0]).toMatchObject({ files: [{ key: expect.stringMatching(/^incoming\/[abc]\.json$/) }], receiveCount: 1 });
    expect(result.messages[0]!.sentAt).toBeTruthy();
    expect(result.receiveCountIncludesThisLook).toBe(true);
    expect(await depth(ops.pipeline.dlqUrl)).toBe(3);
  });

  it('redrive --file moves only the messages about that file, and leaves the others visible', async () => {
    await deadLetter('incoming/a.json', 'incoming/target.json', 'incoming/b.json', 'incoming/target.json');
    const result = await redrive(ops.clients, ops.pipeline, { file: 'target.json', dryRun: false }, recordingReporter());
    expect(result).toMatchObject({ mode: 'file', key: 'incoming/target.json', matched: 2, moved: 2, failures: [] });
    expect(await depth(ops.pipeline.dlqUrl)).toBe(2);
    expect(await depth(ops.pipeline.queueUrl)).toBe(2);
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ops.pipeline.queueUrl, MaxNumberOfMessages: 10 }));
    expect(moved.Messages!.map((m) => JSON.parse(m.Body!).Records[0].s3.object.key)).toEqual(['incoming/target.json', 'incoming/target.json']);
  });

  const putRun = async (key: string, versionId: string, status: string, processedAt: string, uploadedAt = new Date(Date.now() - 60_000).toISOString()) => {
    const docs = await ops.clients.documents();
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const item = { filename: key, upload_timestamp: uploadedAt, processing_status: status, version_id: versionId, processed_at: processedAt };
    await docs.send(new PutCommand({ TableName: ops.pipeline.metadataTable, Item: item }));
  };

  it('redrive --file --wait follows the new run of a version that had no outcome yet', async () => {
    // arrange: the message went to the DLQ before any run of its version recorded an outcome
    await deadLetter('incoming/again.json');
    // No processor runs here: the run's item is written 1.5 s later.
    const rerun = new Promise((r) => setTimeout(r, 1_500)).then(() => putRun('incoming/again.json', 'v0', 'SUCCESS', new Date().toISOString()));

    // act
    const started = Date.now();
    const result = await redrive(ops.clients, ops.pipeline, { file: 'again.json', dryRun: false, waitMs: 20_000 }, recordingReporter());
    await rerun;

    // assert: the outcome is the run written after 1.5 s, followed as it came
    expect(result.outcomes).toEqual([expect.objectContaining({ key: 'incoming/again.json', versionId: 'v0', outcome: 'SUCCESS' })]);
    expect(result.outcomes![0]).not.toHaveProperty('alreadyProcessed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  }, 30_000);

  it('redrive --file --wait reports at once a version that already had an outcome (the processor skips it)', async () => {
    // arrange: a slow attempt recorded SUCCESS after the version's message had been dead-lettered
    const uploadedAt = new Date(Date.now() - 60_000).toISOString();
    await putRun('incoming/done.json', 'v0', 'SUCCESS', new Date(Date.now() - 50_000).toISOString(), uploadedAt);
    await sqs.send(new SendMessageCommand({ QueueUrl: ops.pipeline.dlqUrl, MessageBody: s3Event('incoming/done.json', 'v0', uploadedAt) }));

    // act
    const started = Date.now();
    const result = await redrive(ops.clients, ops.pipeline, { file: 'done.json', dryRun: false, waitMs: 20_000 }, recordingReporter());

    // assert: moved all the same, answered from the earlier run without waiting
    expect(result).toMatchObject({ moved: 1 });
    expect(result.outcomes).toEqual([expect.objectContaining({ key: 'incoming/done.json', versionId: 'v0', outcome: 'SUCCESS', alreadyProcessed: true, waitedMs: 0 })]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await depth(ops.pipeline.queueUrl)).toBe(1);
  }, 30_000);

  it('redrive --file --wait follows the new run when only another upload had an outcome', async () => {
    // the same version id and event time would be this upload; either one differing is another upload
    const uploadedAt = new Date(Date.now() - 60_000).toISOString();
    await putRun('incoming/other.json', 'v-older', 'FAILED', new Date(Date.now() - 50_000).toISOString(), uploadedAt);
    await putRun('incoming/other.json', 'v0', 'FAILED', new Date(Date.now() - 50_000).toISOString(), new Date(Date.now() - 70_000).toISOString());
    await sqs.send(new SendMessageCommand({ QueueUrl: ops.pipeline.dlqUrl, MessageBody: s3Event('incoming/other.json', 'v0', uploadedAt) }));
    const result = await redrive(ops.clients, ops.pipeline, { file: 'other.json', dryRun: false, waitMs: 1_500 }, recordingReporter());
    expect(result.outcomes).toEqual([expect.objectContaining({ key: 'incoming/other.json', versionId: 'v0', outcome: 'TIMED_OUT' })]);
  }, 30_000);

  it('redrive (all) --wait: a version with an outcome is answered at once, the others are followed to their new runs', async () => {
    // arrange: all-1 has no outcome yet; all-2 (v1) failed for good a minute ago, after its message was dead-lettered
    const uploadedAt = new Date(Date.now() - 60_000).toISOString();
    await putRun('incoming/all-2.json', 'v1', 'FAILED', new Date(Date.now() - 50_000).toISOString(), uploadedAt);
    await deadLetter('incoming/all-1.json');
    await sqs.send(new SendMessageCommand({ QueueUrl: ops.pipeline.dlqUrl, MessageBody: s3Event('incoming/all-2.json', 'v1', uploadedAt) }));
    const rerun = new Promise((r) => setTimeout(r, 1_500)).then(() => putRun('incoming/all-1.json', 'v0', 'SUCCESS', new Date().toISOString()));

    // act
    const result = await redrive(ops.clients, ops.pipeline, { dryRun: false, pollMs: 100, waitMs: 20_000 }, recordingReporter());
    await rerun;

    // assert
    expect(result).toMatchObject({ mode: 'all', moved: 2 });
    const byKey = Object.fromEntries(result.outcomes!.map((o) => [o.key, o]));
    expect(byKey['incoming/all-1.json']).toMatchObject({ versionId: 'v0', outcome: 'SUCCESS' });
    expect(byKey['incoming/all-1.json']).not.toHaveProperty('alreadyProcessed');
    expect(byKey['incoming/all-1.json']!.waitedMs).toBeGreaterThanOrEqual(1_000);
    expect(byKey['incoming/all-2.json']).toMatchObject({ versionId: 'v1', outcome: 'FAILED', alreadyProcessed: true, waitedMs: 0 });
  }, 30_000);

  it('redrive (all) --wait without a new run times out', async () => {
    await deadLetter('incoming/stale-all.json');
    const result = await redrive(ops.clients, ops.pipeline, { dryRun: false, pollMs: 100, waitMs: 1_500 }, recordingReporter());
    expect(result.outcomes).toEqual([expect.objectContaining({ key: 'incoming/stale-all.json', outcome: 'TIMED_OUT' })]);
  }, 30_000);

  it('redrive --dry-run shows what would move and moves nothing', async () => {
    await deadLetter('incoming/target.json', 'incoming/other.json');
    const result = await redrive(ops.clients, ops.pipeline, { file: 'incoming/target.json', dryRun: true }, recordingReporter());
    expect(result).toMatchObject({ matched: 1, moved: 0, dryRun: true });
    expect(result.messages.map((m) => m.files[0]!.key)).toEqual(['incoming/target.json']);
    expect(await depth(ops.pipeline.dlqUrl)).toBe(2);
    const all = await redrive(ops.clients, ops.pipeline, { dryRun: true }, recordingReporter());
    expect(all).toMatchObject({ mode: 'all', matched: 2, moved: 0 });
    expect(await depth(ops.pipeline.dlqUrl)).toBe(2);
  });

  it('redrive (all) runs a message move task to the ingest queue and reports its progress', async () => {
    await deadLetter('incoming/a.json', 'incoming/b.json', 'incoming/c.json');
    const reporter = recordingReporter();
    const result = await redrive(ops.clients, ops.pipeline, { dryRun: false, pollMs: 100 }, reporter);
    expect(result).toMatchObject({ mode: 'all', moved: 3 });
    expect(await depth(ops.pipeline.dlqUrl)).toBe(0);
    expect(await depth(ops.pipeline.queueUrl)).toBe(3);
    expect(reporter.events.some((e) => e.type === 'progress')).toBe(true);
  });

  it('redrive (all), interrupted: cancels the move task, exit code 130, the rest stay in the DLQ', async () => {
    await deadLetter(...Array.from({ length: 30 }, (_, i) => `incoming/slow-${i}.json`));
    const controller = new AbortController();
    const pending = redrive(ops.clients, ops.pipeline, { dryRun: false, rate: 1, pollMs: 100, signal: controller.signal }, recordingReporter());
    setTimeout(() => controller.abort(), 1_500);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(130);
    expect((error as Error).message).toMatch(/cancelled after moving \d+ of 30/);
    expect(await depth(ops.pipeline.dlqUrl)).toBeGreaterThan(20);
  });

  it('purge: asks, and deletes nothing when the answer is no', async () => {
    await deadLetter('incoming/a.json');
    let asked = '';
    const no = dlqPurge(ops.clients, ops.pipeline, { yes: false, confirm: async (q) => ((asked = q), false) }, recordingReporter());
    await expect(no).rejects.toThrow('Purge cancelled: nothing was deleted.');
    expect(asked).toMatch(/Delete all 1 message\(s\) in tap-opsdlq-ingest-dlq\?/);
    expect(await depth(ops.pipeline.dlqUrl)).toBe(1);
    const yes = await dlqPurge(ops.clients, ops.pipeline, { yes: true, confirm: async () => false }, recordingReporter());
    expect(yes).toEqual({ queues: [{ pipeline: 'files', queue: 'tap-opsdlq-ingest-dlq', purged: 1 }], purged: 1 });
  });
});

describe('tap dlq with photos: each pipeline has its own DLQ', () => {
  // The other describe's cases leave both pipelines' queues empty; these leave them as they found them.
  afterAll(async () => {
    for (const url of [ops.pipeline.dlqUrl, ops.pipeline.queueUrl, ops.pipeline.podDlqUrl!, ops.pipeline.podQueueUrl!]) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  });

  it('list and peek show both DLQs, and which pipeline each message belongs to', async () => {
    await deadLetter('incoming/a.json', 'pod/S-1/door.jpg', 'pod/S-1/back.jpg');
    const list = await dlqList(ops.clients, ops.pipeline);
    expect(list.pipelines.map((p) => [p.pipeline, p.queue.name, p.dlq.name, p.dlq.depth.visible])).toEqual([
      ['files', 'tap-opsdlq-ingest', 'tap-opsdlq-ingest-dlq', 1],
      ['photos', 'tap-opsdlq-pod', 'tap-opsdlq-pod-dlq', 2],
    ]);
    const peeked = await dlqPeek(ops.clients, ops.pipeline, { count: 10 });
    expect(peeked.messages.map((m) => [m.pipeline, m.files[0]?.key]).sort()).toEqual([['files', 'incoming/a.json'], ['photos', 'pod/S-1/back.jpg'], ['photos', 'pod/S-1/door.jpg']]);
  });

  it('redrive --file pod/…: looks only in the photo DLQ and moves the message back to the pod queue', async () => {
    const result = await redrive(ops.clients, ops.pipeline, { file: 'pod/S-1/door.jpg', dryRun: false }, recordingReporter());
    expect(result).toMatchObject({ mode: 'file', key: 'pod/S-1/door.jpg', moved: 1, pipelines: ['photos'], messages: [{ pipeline: 'photos' }] });
    expect([await depth(ops.pipeline.podDlqUrl!), await depth(ops.pipeline.podQueueUrl!), await depth(ops.pipeline.dlqUrl), await depth(ops.pipeline.queueUrl)]).toEqual([1, 1, 1, 0]);
  });

  it('redrive (all): each DLQ goes back to its own source queue with its own move task', async () => {
    const result = await redrive(ops.clients, ops.pipeline, { dryRun: false, pollMs: 100 }, recordingReporter());
    expect(result).toMatchObject({ mode: 'all', moved: 2, pipelines: ['files', 'photos'] });
    expect([await depth(ops.pipeline.podDlqUrl!), await depth(ops.pipeline.podQueueUrl!), await depth(ops.pipeline.dlqUrl), await depth(ops.pipeline.queueUrl)]).toEqual([0, 2, 0, 1]);
  });

  it('purge covers the photo DLQ too, and touches only the DLQs that hold messages', async () => {
    // (The file DLQ was purged less than a minute ago, and SQS allows one purge a minute per queue.)
    await deadLetter('pod/S-2/x.jpg', 'pod/S-2/y.jpg');
    let asked = '';
    const result = await dlqPurge(ops.clients, ops.pipeline, { yes: false, confirm: async (q) => ((asked = q), true) }, recordingReporter());
    expect(asked).toMatch(/^Delete all 2 message\(s\) in tap-opsdlq-pod-dlq\? /);
    expect(result).toEqual({ queues: [{ pipeline: 'photos', queue: 'tap-opsdlq-pod-dlq', purged: 2 }], purged: 2 });
    expect(await depth(ops.pipeline.podDlqUrl!)).toBe(0);
  });
});

describe('tap logs (operation)', () => {
  // A log group of the test's own: the deployed processor's group already has the line of the
  // s3:TestEvent it acknowledged when the stack configured the bucket's notifications.
  let pipeline: OpsPipeline['pipeline'];
  const start = Date.now() - 5 * 60_000;
  const line = (offsetMs: number, fields: Record<string, unknown>) => ({ timestamp: start + offsetMs, message: JSON.stringify({ timestamp: new Date(start + offsetMs).toISOString(), service: 'shipment-processor', ...fields }) });

  beforeAll(async () => {
    pipeline = { ...ops.pipeline, logGroup: '/aws/lambda/tap-opsdlq-logs-test', podLogGroup: '/aws/lambda/tap-opsdlq-pod-logs-test' };
    const client = await ops.clients.logs();
    for (const logGroupName of [pipeline.logGroup, pipeline.podLogGroup!]) {
      await client.send(new CreateLogGroupCommand({ logGroupName }));
      await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's1' }));
    }
    // The pod processor's lines fall between the file processor's.
    await client.send(
      new PutLogEventsCommand({
        logGroupName: pipeline.podLogGroup!,
        logStreamName: 's1',
        logEvents: [
          { timestamp: start + 1_500, message: JSON.stringify({ level: 'INFO', message: 'photo processed', service: 'pod-processor', s3_key: 'pod/S-1/door.jpg', function_request_id: 'p1' }) },
          { timestamp: start + 1_600, message: JSON.stringify({ type: 'platform.report', record: { requestId: 'p1', status: 'success' } }) },
        ],
      }),
    );
    await client.send(
      new PutLogEventsCommand({
        logGroupName: pipeline.logGroup,
        logStreamName: 's1',
        logEvents: [
          { timestamp: start - 3_600_000, message: JSON.stringify({ level: 'INFO', message: 'an hour before' }) },
          { timestamp: start, message: '{"time":"x","type":"platform.start","record":{"requestId":"r1"}}' },
          line(1_000, { level: 'INFO', message: 'file processed', s3_key: 'incoming/a.json', records_processed: 5 }),
          line(2_000, { level: 'ERROR', message: 'transient error; the message will be retried', s3_key: 'incoming/b.json' }),
          line(3_000, { level: 'WARN', message: 'file failed; acknowledged without retry', s3_key: 'incoming/c.json' }),
        ],
      }),
    );
  });

  async function collect(options: Partial<Parameters<typeof logs>[2]> = {}): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    await logs(ops.clients, pipeline, { sinceMs: 10 * 60_000, follow: false, onLine: (l) => void lines.push(l), ...options }, recordingReporter());
    return lines;
  }

  it("reads both processors' windows, merged oldest first, each line tagged with its pipeline", async () => {
    const lines = await collect();
    expect(lines.map((l) => [l.message, (l as PipelineLogLine).pipeline])).toEqual([
      ['platform.start', 'files'],
      ['file processed', 'files'],
      ['photo processed', 'photos'],
      ['platform.report', 'photos'],
      ['transient error; the message will be retried', 'files'],
      ['file failed; acknowledged without retry', 'files'],
    ]);
  });

  it("--file pod/…: only the pod processor's group, with the lines of the invocation that handled it", async () => {
    expect((await collect({ key: 'pod/S-1/door.jpg' })).map((l) => l.message)).toEqual(['photo processed', 'platform.report']);
    expect(await collect({ key: 'pod/S-1/other.jpg' })).toEqual([]);
  });

  it("a pod processor that has not run yet (no log group) leaves the file processor's lines readable", async () => {
    const lines: LogLine[] = [];
    const result = await logs(ops.clients, { ...pipeline, podLogGroup: '/aws/lambda/nothing-pod' }, { sinceMs: 10 * 60_000, follow: false, onLine: (l) => void lines.push(l) }, recordingReporter());
    expect(result.lines).toBe(4);
  });

  it('filters by file, level and text', async () => {
    expect((await collect({ key: 'incoming/b.json' })).map((l) => l.level)).toEqual(['ERROR']);
    expect((await collect({ level: 'WARN' })).map((l) => l.level)).toEqual(['ERROR', 'WARN']);
    expect((await collect({ text: 'processed' })).map((l) => l.json?.['s3_key'])).toEqual(['incoming/a.json', 'pod/S-1/door.jpg']);
    expect((await collect({ key: 'incoming/c.json', level: 'ERROR' }))).toEqual([]);
  });

  it('follows new lines until interrupted, without repeating lines', async () => {
    const controller = new AbortController();
    const lines: LogLine[] = [];
    const following = logs(ops.clients, pipeline, { sinceMs: 10 * 60_000, follow: true, signal: controller.signal, pollMs: { min: 100, max: 400 }, onLine: (l) => void lines.push(l) }, recordingReporter());
    await new Promise((r) => setTimeout(r, 500));
    const client = await ops.clients.logs();
    await client.send(new PutLogEventsCommand({ logGroupName: pipeline.logGroup, logStreamName: 's1', logEvents: [{ timestamp: Date.now(), message: JSON.stringify({ level: 'INFO', message: 'a new line' }) }] }));
    for (let i = 0; i < 50 && !lines.some((l) => l.message === 'a new line'); i++) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const result = await following;
    expect(lines.map((l) => l.message).filter((m) => m === 'a new line')).toHaveLength(1);
    expect(new Set(lines.map((l) => l.eventId)).size).toBe(lines.length);
    expect(result.lines).toBe(lines.length);
  });

  it('a missing log group: says the processor has not run', async () => {
    const none = { ...ops.pipeline, logGroup: '/aws/lambda/nothing', podLogGroup: '/aws/lambda/nothing-pod' };
    await expect(logs(ops.clients, none, { sinceMs: 60_000, follow: false, onLine: () => {} }, recordingReporter())).rejects.toThrow(/log groups \/aws\/lambda\/nothing and \/aws\/lambda\/nothing-pod do not exist yet: the processors have not run/);
    await expect(logs(ops.clients, none, { sinceMs: 60_000, follow: false, key: 'pod/S-1/a.jpg', onLine: () => {} }, recordingReporter())).rejects.toThrow(/The log group \/aws\/lambda\/nothing-pod does not exist yet: the processor has not run/);
  });
});
