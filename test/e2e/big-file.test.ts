/**
 * Big files with the real `bin/tap` on the local AWS: deployed with `--big-file-threshold 0`, so every
 * file takes the Step Functions path (Prepare → distributed map of Batch → Finish). Then the same file
 * through the small path (the processor's threshold raised) must give the same row, outputs and events.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigFileExecutionName } from '../../src/handlers/big-file/route.js';
import { s3EventBody } from '../../src/handlers/message.js';
import { parsed, tapWorkspace } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

const { cwd, tap, stop } = tapWorkspace('big-file', { env: 'big' });
let outputs: Record<string, string> = {};
let endpoint = '';
const config = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

const docs = () => DynamoDBDocumentClient.from(new DynamoDBClient(config()));
const rowsOf = async (key: string): Promise<Record<string, any>[]> =>
  (await docs().send(new QueryCommand({ TableName: outputs.MetadataTableName, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': key }, ConsistentRead: true }))).Items ?? [];
const eventsOf = async (key: string, version: string) => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await docs().send(
      new ScanCommand({ TableName: outputs.ShipmentEventsTableName, FilterExpression: 'source_key = :k AND source_version = :v', ExpressionAttributeValues: { ':k': key, ':v': version }, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
const text = async (key: string) => {
  const out = await new S3Client({ ...config(), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: outputs.UploadBucketName, Key: key }));
  return out.Body!.transformToString();
};

/** A file with every kind of reject: not JSON, a missing field, a bad timestamp (NDJSON), or their CSV kin (a ragged row). */
function mixedFile(format: 'ndjson' | 'csv', records: number): string {
  const lines: string[] = format === 'csv' ? ['shipment_id,status,timestamp,carrier'] : [];
  for (let i = 1; i <= records; i++) {
    const ts = `2026-01-05T10:${String(i % 60).padStart(2, '0')}:00Z`;
    const bad = i % 17 === 0 ? 'missing' : i % 23 === 0 ? 'timestamp' : i % 29 === 0 ? 'garbage' : undefined;
    if (format === 'csv') {
      lines.push(bad === 'missing' ? `,DELIVERED,${ts},UPS` : bad === 'timestamp' ? `S${i},DELIVERED,yesterday,UPS` : bad === 'garbage' ? `S${i},DELIVERED,${ts},UPS,extra` : `S${i},IN_TRANSIT,${ts},"Carrier, ${i}"`);
    } else {
      lines.push(bad === 'missing' ? JSON.stringify({ status: 'DELIVERED', timestamp: ts }) : bad === 'timestamp' ? JSON.stringify({ shipment_id: `S${i}`, status: 'DELIVERED', timestamp: 'yesterday' }) : bad === 'garbage' ? '{not json' : JSON.stringify({ shipment_id: `S${i}`, status: 'IN_TRANSIT', timestamp: ts, carrier: `Carrier ${i}`, weight_kg: i / 10 }));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The processor's big-file threshold, set directly on the function (as a redeploy with another setting would). */
async function setThreshold(bytes: number): Promise<void> {
  const lambda = new LambdaClient(config());
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: outputs.ProcessorFunctionName }));
  const variables = { ...current.Environment?.Variables, BIG_FILE_THRESHOLD_BYTES: String(bytes) };
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: outputs.ProcessorFunctionName, Environment: { Variables: variables } }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: outputs.ProcessorFunctionName });
}

beforeAll(async () => {
  const deployed = await tap('deploy', '--big-file-threshold', '0', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  endpoint = parsed(deployed).target.endpoint;
  expect(parsed(deployed).settings).toMatchObject({ bigFileThreshold: 0 });
}, 180_000);

afterAll(async () => {
  await stop();
});

describe('big files through the distributed map', () => {
  it('status shows PROCESSING with progress while the state machine runs, then SUCCESS with exact counts', async () => {
    const up = await tap('upload', '--generate', '20000', '--bad-ratio', '0.01', '--json');
    expect(up.code, up.stderr).toBe(0);
    const key: string = parsed(up).files[0].key;

    const seen = await eventually(async () => {
      const s = parsed(await tap('status', '--file', key, '--json'));
      return s.runs?.[0]?.status === 'PROCESSING' && s.progress ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300, what: 'a PROCESSING row with progress' });
    expect(seen.runs[0].executionArn).toContain(':execution:tap-big-big-file:');
    expect(['preparing', 'writing', 'finishing']).toContain(seen.progress.phase);

    const waited = await tap('upload', '--generate', '3000', '--bad-ratio', '0.01', '--wait', '--timeout', '5m', '--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toContain('"code":"TAP_WAIT_BIG_FILE"');
    const [outcome] = parsed(waited).outcomes;
    expect(outcome).toMatchObject({ outcome: 'SUCCESS', run: { status: 'SUCCESS' } });
    expect(outcome.run.recordsProcessed + outcome.run.recordsRejected).toBe(3000);
    expect(outcome.run.recordsRejected).toBeGreaterThan(0);

    const done = await eventually(async () => {
      const s = parsed(await tap('status', '--file', key, '--json'));
      return s.runs?.[0]?.status === 'SUCCESS' ? s : undefined;
    }, { timeoutMs: 300_000, intervalMs: 2000, what: 'the 20,000-record file to end' });
    expect(done.runs[0].recordsProcessed + done.runs[0].recordsRejected).toBe(20000);
    expect(await eventsOf(key, done.runs[0].versionId)).toHaveLength(done.runs[0].recordsProcessed);

    // logs --file: the big-file functions' lines too
    const logs = await tap('logs', '--file', key, '--since', '30m');
    expect(logs.stdout).toContain('big file: pass 1 done');
    expect(logs.stdout).toContain('big file: batch written');
    expect(logs.stdout).toContain('file processed');
  }, 420_000);

  it('a redelivered SQS message does not start a second run', async () => {
    const up = await tap('upload', '--generate', '50', '--json');
    const { key, versionId, etag, size } = parsed(up).files[0];
    await eventually(async () => ((await rowsOf(key))[0]?.processing_status === 'SUCCESS' ? true : undefined), { timeoutMs: 120_000, what: 'the upload to end' });
    // The same message twice, as SQS redelivers it: same message id, an S3 event of its own time.
    const file = { bucket: outputs.UploadBucketName!, key, versionId, etag: etag.replace(/"/g, ''), size, eventTime: '2030-01-01T00:00:00.000Z' };
    const record = { messageId: 'redelivered-1', receiptHandle: 'r', body: s3EventBody(file), attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: outputs.IngestQueueArn, awsRegion: 'us-east-1' };
    const lambda = new LambdaClient(config());
    for (let i = 0; i < 2; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: outputs.ProcessorFunctionName, Payload: JSON.stringify({ Records: [record] }) }));
      expect(JSON.parse(new TextDecoder().decode(out.Payload))).toEqual({ batchItemFailures: [] });
    }
    const row = await eventually(async () => (await rowsOf(key)).find((r) => r.upload_timestamp === file.eventTime && r.processing_status === 'SUCCESS'), { timeoutMs: 120_000, what: 'the redelivered run to end' });
    const name = bigFileExecutionName(file, 'redelivered-1');
    const executions = await new SFNClient(config()).send(new ListExecutionsCommand({ stateMachineArn: outputs.BigFileStateMachineArn, maxResults: 1000 }));
    expect(executions.executions!.filter((e) => e.name === name)).toHaveLength(1);
    expect(row.execution_arn).toContain(name);
    // A third delivery after the outcome: a duplicate, nothing started.
    await lambda.send(new InvokeCommand({ FunctionName: outputs.ProcessorFunctionName, Payload: JSON.stringify({ Records: [{ ...record, messageId: 'redelivered-2' }] }) }));
    const after = await new SFNClient(config()).send(new ListExecutionsCommand({ stateMachineArn: outputs.BigFileStateMachineArn, maxResults: 1000 }));
    expect(after.executions!.some((e) => e.name === bigFileExecutionName(file, 'redelivered-2'))).toBe(false);
  }, 300_000);

  it.each(['csv', 'ndjson'] as const)('both paths give the same metadata, outputs and events for the same %s file', async (format) => {
    const name = `same.${format}`;
    writeFileSync(join(cwd, name), mixedFile(format, 400));
    const key = `incoming/${name}`;
    const runOnce = async () => {
      const up = await tap('upload', join(cwd, name), '--wait', '--timeout', '3m', '--json');
      expect(up.code, up.stderr).toBe(0);
      const { versionId } = parsed(up).files[0];
      const row = (await rowsOf(key)).find((r) => r.version_id === versionId)!;
      const events = (await eventsOf(key, versionId)).map(({ event_key: _k, source_version: _v, ...rest }) => rest).sort((a, b) => Number(a.record_number) - Number(b.record_number));
      return { row, events, processed: await text(row.processed_key), rejected: row.rejected_key ? await text(row.rejected_key) : undefined };
    };

    await setThreshold(0);
    const big = await runOnce();
    await setThreshold(1024 ** 3);
    const small = await runOnce();
    await setThreshold(0);

    expect(big.row.execution_arn).toContain(':execution:tap-big-big-file:');
    expect(small.row.execution_arn).toBeUndefined();
    const comparable = ({ processing_duration_ms: _d, processed_at: _p, execution_arn: _e, upload_timestamp: _u, version_id: _v, ...rest }: Record<string, unknown>) => rest;
    expect(comparable(big.row)).toEqual(comparable(small.row));
    expect(big.row.records_rejected).toBeGreaterThan(0);
    expect(big.rejected).toBe(small.rejected);
    expect(big.processed).toBe(small.processed);
    expect(big.events).toEqual(small.events);
    expect(big.events).toHaveLength(Number(big.row.records_processed));
  }, 420_000);
});
