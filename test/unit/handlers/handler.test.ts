import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AppDeps, createHandler } from '../../../src/handlers/app.js';
import { BUCKET, TEST_EVENT_BODY, fixture, lambdaContext, s3Body, sqsEvent, sqsRecord } from './helpers/factories.js';
import { type MemoryPorts, awsError, memoryPorts } from './helpers/memory.js';
import { RecordingLogger, RecordingMetrics } from './helpers/recorders.js';

let ports: MemoryPorts;
let logger: RecordingLogger;
let metrics: RecordingMetrics;
let handler: ReturnType<typeof createHandler>;

beforeEach(() => {
  ports = memoryPorts();
  logger = new RecordingLogger();
  metrics = new RecordingMetrics();
  const deps: AppDeps = { ports, logger, metrics, options: { environment: 'dev', writeOptions: { sleep: async () => {} } } };
  handler = createHandler(() => deps);
});

/** Arrange: an uploaded fixture and the SQS message body S3 would send for it. */
function uploaded(key: string, fixtureName: string): string {
  const content = fixture(fixtureName);
  const versionId = ports.objects.put(BUCKET, key, content);
  return s3Body({ key, versionId, size: content.length, eTag: `etag-${versionId}` });
}

describe('processor handler', () => {
  it('fails only the message whose file hit a transient error; the others succeed', async () => {
    const ok1 = uploaded('incoming/a.json', 'valid.json');
    const throttled = uploaded('incoming/b.csv', 'valid.csv');
    const ok2 = uploaded('incoming/c.ndjson', 'valid.ndjson');
    ports.objects.readFailures.set('incoming/b.csv', awsError('SlowDown', 503));

    const response = await handler(
      sqsEvent(sqsRecord('msg-1', ok1), sqsRecord('msg-2', throttled), sqsRecord('msg-3', ok2)),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect([...ports.metadata.items.keys()].map((k) => k.split('|')[0]).sort()).toEqual(['incoming/a.json', 'incoming/c.ndjson']);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'transient error; the message will be retried', s3_key: 'incoming/b.csv', message_id: 'msg-2' }),
    );
  });

  it('retries an unclassified error, logging it loudly as one', async () => {
    const body = uploaded('incoming/odd.json', 'valid.json');
    const ok = uploaded('incoming/ok.json', 'valid.json');
    ports.objects.readFailures.set('incoming/odd.json', new Error('something nobody classified'));

    const response = await handler(sqsEvent(sqsRecord('msg-1', body), sqsRecord('msg-2', ok)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', error_kind: 'unexpected', message: expect.stringMatching(/^UNCLASSIFIED error: .*please report this as a bug$/) }),
    );
  });

  it('acknowledges a file that can never be processed, recording it as FAILED', async () => {
    const response = await handler(sqsEvent(sqsRecord('msg-1', uploaded('incoming/bad.json', 'malformed.json'))), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect([...ports.metadata.items.values()]).toMatchObject([{ processing_status: 'FAILED', quarantine_key: 'quarantine/bad.json' }]);
    expect(metrics.published[0]).toContainEqual({ name: 'FilesFailed', unit: 'Count', value: 1 });
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', message: 'file failed; acknowledged without retry' }));
  });

  it('decodes URL-encoded keys before using them', async () => {
    const key = 'incoming/my fileé.json';
    const body = uploaded(key, 'single.json');
    expect(body).toContain('"key":"incoming/my+file%C3%A9.json"');

    await handler(sqsEvent(sqsRecord('msg-1', body)), lambdaContext());

    expect([...ports.metadata.items.values()]).toMatchObject([{ filename: key, processing_status: 'SUCCESS' }]);
    expect(ports.objects.text(BUCKET, 'processed/my fileé.json.ndjson')).toContain('SH2001');
  });

  it('acknowledges and ignores the s3:TestEvent', async () => {
    const response = await handler(sqsEvent(sqsRecord('msg-1', TEST_EVENT_BODY)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ports.metadata.items.size).toBe(0);
    expect(logger.entries).toContainEqual(expect.objectContaining({ message: 'acknowledged s3:TestEvent' }));
  });

  it('acknowledges objects outside incoming/ without processing them', async () => {
    const response = await handler(sqsEvent(sqsRecord('msg-1', uploaded('processed/a.json.ndjson', 'valid.ndjson'))), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ports.metadata.items.size).toBe(0);
  });

  it('skips a redelivered file under a new message id, logging it as a duplicate', async () => {
    const body = uploaded('incoming/a.json', 'valid.json');
    await handler(sqsEvent(sqsRecord('msg-1', body)), lambdaContext());
    const events = ports.events.items.size;

    const response = await handler(sqsEvent(sqsRecord('msg-redriven', body)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ports.events.items.size).toBe(events);
    expect(metrics.published).toHaveLength(1); // the duplicate records no metrics, so none are published
    expect(metrics.stored).toEqual([]);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/^duplicate delivery/), message_id: 'msg-redriven', s3_key: 'incoming/a.json' }),
    );
  });

  it('publishes per-file metrics once per invocation', async () => {
    await handler(
      sqsEvent(sqsRecord('m1', uploaded('incoming/a.csv', 'ragged.csv')), sqsRecord('m2', uploaded('incoming/b.log', 'shipments.log'))),
      lambdaContext(),
    );

    expect(metrics.published).toHaveLength(1);
    const sum = (name: string) => metrics.published[0]!.filter((m) => m.name === name).reduce((n, m) => n + m.value, 0);
    expect(sum('FilesProcessed')).toBe(2);
    expect(sum('RecordsProcessed')).toBe(5);
    expect(sum('RecordsRejected')).toBe(4);
    expect(sum('FileSizeBytes')).toBe(fixture('ragged.csv').length + fixture('shipments.log').length);
    expect(metrics.published[0]!.filter((m) => m.name === 'ProcessingDurationMs')).toHaveLength(2);
  });

  it('tags log lines with the file being processed, and only while it is', async () => {
    await handler(sqsEvent(sqsRecord('m1', uploaded('incoming/a.json', 'valid.json')), sqsRecord('m2', TEST_EVENT_BODY)), lambdaContext());

    const processed = logger.entries.find((e) => e.message === 'file processed');
    expect(processed).toMatchObject({ s3_bucket: BUCKET, s3_key: 'incoming/a.json', s3_version: expect.any(String), records_processed: 3 });
    expect(logger.entries.find((e) => e.message === 'acknowledged s3:TestEvent')).not.toHaveProperty('s3_key');
  });

  it('fails a message that is not an S3 notification, so it ends in the DLQ', async () => {
    const response = await handler(
      sqsEvent(sqsRecord('m1', 'garbage'), sqsRecord('m2', uploaded('incoming/a.json', 'valid.json'))),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('throws when every message failed, as Powertools does by default, so the whole batch is retried', async () => {
    await expect(handler(sqsEvent(sqsRecord('m1', 'garbage')), lambdaContext())).rejects.toThrow(/All records failed/);
    expect(metrics.published).toHaveLength(0); // nothing was processed, so there is nothing to publish
  });

  it('works with a real Powertools Logger', async () => {
    const real = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const deps: AppDeps = { ports, logger: real, metrics, options: { environment: 'dev' } };

    const response = await createHandler(() => deps)(sqsEvent(sqsRecord('m1', TEST_EVENT_BODY)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
  });
});
