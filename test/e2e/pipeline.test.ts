/**
 * The pipeline as a user runs it: the real `bin/tap`, the stack deployed with `tap deploy` to the
 * local AWS (no credentials, a free port), every result read through --json; and underneath, what the
 * processor left in S3, DynamoDB and CloudWatch Logs, read with the AWS SDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { QueryCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsed, tapWorkspace } from '../helpers/cli.js';
import { injectFault } from '../helpers/local.js';
import { eventually } from '../helpers/pipeline.js';
import { ADMIN_HEADERS } from '../../src/local/admin.js';

const { cwd, tap, stop } = tapWorkspace('pipeline', { env: 'ops' });
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/files/${name}`, import.meta.url));
let outputs: Record<string, string> = {};
let endpoint = '';
const config = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
/** The metadata table's rows of one key. */
const metadataOf = async (key: string) =>
  (await new DynamoDBClient(config()).send(new QueryCommand({ TableName: outputs.MetadataTableName, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': { S: key } } }))).Items ?? [];
/** The shipment events the processor stored from one file. */
const eventsOf = async (key: string) =>
  (await new DynamoDBClient(config()).send(new ScanCommand({ TableName: outputs.ShipmentEventsTableName, FilterExpression: 'source_key = :k', ExpressionAttributeValues: { ':k': { S: key } } }))).Items ?? [];

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  endpoint = parsed(deployed).target.endpoint;
  // Arrange for speed: the stack's visibility timeout is 12 minutes (6 × the function timeout); a
  // failing message should come back in seconds here.
  await new SQSClient(config()).send(new SetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, Attributes: { VisibilityTimeout: '3' } }));
}, 120_000);

afterAll(async () => {
  await stop();
});

/**
 * Faults off. With a 3 s visibility timeout, a slow attempt (a loaded machine) may still be running
 * when its message is dead-lettered; if it then records the version, the redriven message is a
 * duplicate the processor skips, and `dlq redrive --wait` reports that earlier outcome at once.
 */
async function clearFaults(): Promise<void> {
  await fetch(`${endpoint}/_tap/faults`, { method: 'DELETE', headers: ADMIN_HEADERS });
}

describe('operating the pipeline with the real binary', () => {
  it('upload --wait: a good file is processed', async () => {
    const r = await tap('upload', fixture('valid.json'), '--wait', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = parsed(r);
    expect(result.files).toEqual([expect.objectContaining({ key: 'incoming/valid.json', versionId: expect.any(String) })]);
    expect(result.outcomes).toEqual([expect.objectContaining({ outcome: 'SUCCESS', run: expect.objectContaining({ status: 'SUCCESS', recordsProcessed: 3, recordsRejected: 0 }) })]);

    // underneath: the metadata item, the processed output, the shipment events and the log line
    const [item] = await metadataOf('incoming/valid.json');
    expect(item).toMatchObject({ processing_status: { S: 'SUCCESS' }, records_processed: { N: '3' }, records_rejected: { N: '0' }, version_id: { S: result.files[0].versionId } });
    const processed = await new S3Client({ ...config(), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: outputs.UploadBucketName, Key: 'processed/valid.json.ndjson' }));
    expect((await processed.Body!.transformToString()).trim().split('\n')).toHaveLength(3);
    expect(await eventsOf('incoming/valid.json')).toHaveLength(3);
    const lines = await eventually(async () => {
      const found = await new CloudWatchLogsClient(config()).send(new FilterLogEventsCommand({ logGroupName: outputs.ProcessorLogGroupName, filterPattern: '"file processed"' }));
      return found.events?.length ? found.events : undefined;
    }, { what: 'the processing log line' });
    expect(lines[0]!.message).toContain('incoming/valid.json');
  });

  it('a duplicate message of a processed version, redriven with --wait, is answered at once and not run again', async () => {
    // arrange: the S3 event of valid.json's upload, once more, in the DLQ (at-least-once delivery can do this)
    const [item] = await metadataOf('incoming/valid.json');
    const event = {
      Records: [{
        eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: item!.upload_timestamp!.S,
        s3: { bucket: { name: outputs.UploadBucketName }, object: { key: 'incoming/valid.json', size: Number(item!.file_size!.N), versionId: item!.version_id!.S, eTag: item!.etag?.S } },
      }],
    };
    await new SQSClient(config()).send(new SendMessageCommand({ QueueUrl: outputs.DeadLetterQueueUrl, MessageBody: JSON.stringify(event) }));

    // act
    const r = await tap('dlq', 'redrive', '--file', 'valid.json', '--wait', '--json');

    // assert: the earlier SUCCESS is the answer; the processor consumed the message and kept the one run
    expect(r.code, r.stderr).toBe(0);
    expect(parsed(r)).toMatchObject({ moved: 1, outcomes: [{ key: 'incoming/valid.json', outcome: 'SUCCESS', alreadyProcessed: true, waitedMs: 0 }] });
    const sqs = new SQSClient(config());
    await eventually(async () => {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
    }, { what: 'the processor to consume the redriven message' });
    const rows = await metadataOf('incoming/valid.json');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.processed_at).toEqual(item!.processed_at);
  }, 60_000);

  it('upload --generate --wait: processed and rejected counts match what was generated; status shows the rejects', async () => {
    const up = await tap('upload', '--generate', '200', '--bad-ratio', '0.1', '--wait', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(parsed(up).outcomes).toMatchObject([{ outcome: 'SUCCESS', run: { recordsProcessed: 180, recordsRejected: 20 } }]);
    const r = await tap('status', '--file', parsed(up).files[0].key, '--json');
    expect(r.code, r.stderr).toBe(0);
    const status = parsed(r);
    expect(status.runs).toHaveLength(1);
    expect(status.outputs.rejected).toMatch(/\/rejected\/generated-.*\.json\.errors\.ndjson$/);
    expect(status.rejects).toHaveLength(5);
    expect(status.rejects[0].reason).toBeTruthy();
  });

  it('a file with invalid records: status shows the rejects with their reasons', async () => {
    const up = await tap('upload', fixture('missing-fields.json'), '--wait', '--json');
    expect(up.code, up.stderr).toBe(0);
    const r = await tap('status', '--file', 'missing-fields.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    const status = parsed(r);
    expect(status.runs[0]).toMatchObject({ status: 'SUCCESS' });
    expect(status.runs[0].recordsRejected).toBeGreaterThan(0);
    expect(status.rejects.length).toBeGreaterThan(0);
    expect(status.rejects[0]).toMatchObject({ field: expect.any(String), reason: expect.any(String) });
    expect(status.outputs.rejected).toMatch(/^s3:\/\/.*rejected\/missing-fields\.json\.errors\.ndjson$/);
  });

  it('an unparseable file: FAILED, quarantined, exit code 1', async () => {
    const r = await tap('upload', fixture('malformed.json'), '--wait', '--json');
    expect(r.code).toBe(1);
    expect(parsed(r).outcomes[0]).toMatchObject({ outcome: 'FAILED', run: expect.objectContaining({ quarantineKey: 'quarantine/malformed.json', error: expect.stringContaining('malformed JSON') }) });
  });

  it('a transient failure dead-letters; peek shows it; redrive --file brings it back once', async () => {
    await injectFault(endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 10_000 });
    const up = await tap('upload', fixture('valid.ndjson'), '--wait', '--timeout', '90', '--json');
    expect(up.code).toBe(1);
    expect(parsed(up).outcomes[0]).toMatchObject({ outcome: 'DEAD_LETTERED' });

    const peek = await tap('dlq', 'peek', '--json');
    expect(peek.code, peek.stderr).toBe(0);
    expect(JSON.stringify(parsed(peek))).toContain('incoming/valid.ndjson');

    await clearFaults();
    const redriven = await tap('dlq', 'redrive', '--file', 'valid.ndjson', '--wait', '--json');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(parsed(redriven)).toMatchObject({ moved: 1, failures: [], outcomes: [{ outcome: 'SUCCESS' }] });

    // processed once: one metadata row, and each record stored once
    const rows = await metadataOf('incoming/valid.ndjson');
    expect(rows).toHaveLength(1);
    expect(await eventsOf('incoming/valid.ndjson')).toHaveLength(Number(rows[0]!.records_processed!.N));
  }, 150_000);

  it('redrive of the whole DLQ with a message move task', async () => {
    await injectFault(endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 10_000 });
    const up = await tap('upload', fixture('valid.csv'), '--wait', '--timeout', '90', '--json');
    expect(parsed(up).outcomes[0]).toMatchObject({ outcome: 'DEAD_LETTERED' });
    await clearFaults();

    const r = await tap('dlq', 'redrive', '--wait', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(parsed(r))).toContain('incoming/valid.csv');
    const tasks = await new SQSClient(config()).send(new ListMessageMoveTasksCommand({ SourceArn: outputs.DeadLetterQueueArn }));
    expect(tasks.Results?.[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    expect((await metadataOf('incoming/valid.csv'))[0]).toMatchObject({ processing_status: { S: 'SUCCESS' } });
    const list = parsed(await tap('dlq', 'list', '--json'));
    expect(JSON.stringify(list)).toMatch(/"visible":\s*0/);
  }, 150_000);

  it('logs --since shows the processing lines, as JSON lines', async () => {
    const r = await tap('logs', '--since', '10m', '--file', 'valid.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.message === 'file processed' && l.s3_key === 'incoming/valid.json')).toBe(true);
  });

  it('logs --file shows the lines of the invocations that handled the file', async () => {
    const r = await tap('logs', '--since', '30m', '--file', 'malformed.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines: Array<Record<string, any>> = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.level === 'ERROR' && /file failed/.test(l.message))).toBe(true);
    // Lines that name the file, and the other lines of the invocations that handled it (by request id).
    const names = (l: Record<string, any>) => JSON.stringify(l).includes('incoming/malformed.json');
    const requestId = (l: Record<string, any>) => l.function_request_id ?? l.requestId ?? l.record?.requestId;
    const handledBy = new Set(lines.filter(names).map(requestId));
    expect(handledBy.size).toBeGreaterThan(0);
    expect(lines.every((l) => names(l) || handledBy.has(requestId(l)))).toBe(true);
  });

  it('status without --file lists recent files with totals', async () => {
    const r = await tap('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const text = JSON.stringify(parsed(r));
    for (const key of ['incoming/valid.json', 'incoming/malformed.json', 'incoming/missing-fields.json']) expect(text).toContain(key);
  });

  it('purge without a terminal and without --yes is refused', async () => {
    // arrange: something in the DLQ (an empty one has nothing to ask about)
    await injectFault(endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 10_000 });
    const up = await tap('upload', fixture('single.json'), '--wait', '--timeout', '90', '--json');
    expect(parsed(up).outcomes[0]).toMatchObject({ outcome: 'DEAD_LETTERED' });
    await clearFaults();
    const r = await tap('dlq', 'purge');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(JSON.stringify(parsed(await tap('dlq', 'list', '--json')))).toMatch(/"visible":\s*1/);
  }, 150_000);

  it('bad input: a missing file uploads nothing', async () => {
    const r = await tap('upload', join(cwd, 'nope.json'), fixture('valid.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(cwd, '.tap', 'ops.json'), 'utf8')).toContain('UploadBucketName');
  });
});

// Last: it leaves the processor with a 1 s timeout.
describe('a handler time-out, with the real binary', () => {
  it('is found by logs --level error and logs --file, and status --file says when the retry is due', async () => {
    // arrange: a function timeout far shorter than processing a 20,000-record file takes; a retry a minute away
    const lambda = new LambdaClient(config());
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: outputs.ProcessorFunctionName, Timeout: 1 }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: outputs.ProcessorFunctionName });
    lambda.destroy();
    await new SQSClient(config()).send(new SetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, Attributes: { VisibilityTimeout: '60' } }));

    // act
    const up = await tap('upload', '--generate', '20000', '--json');
    expect(up.code, up.stderr).toBe(0);
    const key: string = parsed(up).files[0].key;

    // assert: the stack logs only WARN+ platform lines; the time-out's runtimeDone is ERROR for tap logs
    let fileErrors: Array<Record<string, any>> = [];
    for (let i = 0; i < 60 && !fileErrors.length; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const r = await tap('logs', '--since', '10m', '--file', key, '--level', 'error', '--json');
      expect(r.code, r.stderr).toBe(0);
      fileErrors = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    }
    expect(fileErrors).toContainEqual(expect.objectContaining({ type: 'platform.runtimeDone', record: expect.objectContaining({ status: 'timeout' }) }));
    const all = await tap('logs', '--since', '10m', '--level', 'error', '--json');
    expect(all.stdout).toContain('"status":"timeout"');
    const text = await tap('logs', '--since', '10m', '--file', key, '--level', 'error');
    expect(text.stdout).toMatch(/ERROR\s+platform\.runtimeDone/);

    const status = await tap('status', '--file', key, '--json');
    expect(status.code, status.stderr).toBe(0);
    const { lastAttempt } = parsed(status);
    expect(lastAttempt).toMatchObject({ outcome: 'timeout', detail: 'Task timed out after 1.00 seconds' });
    expect(Date.parse(lastAttempt.retryDueAt) - Date.parse(lastAttempt.startedAt)).toBe(60_000);
    const human = await tap('status', '--file', key);
    expect(human.stdout).toContain('The last attempt timed out (Task timed out after 1.00 seconds)');
    expect(human.stdout).toMatch(/The retry is due (about .+ UTC \(in .+\)|now)/);
    expect(human.stdout).not.toContain('not processed yet');
  }, 150_000);
});
