/**
 * The SQS layer every processor shares (the file processor and the pod processor): Powertools'
 * BatchProcessor turns each message into a success or a batch item failure, so one bad message never
 * makes SQS redeliver the messages that succeeded alongside it. Its own module so that a processor's
 * bundle takes only this, not another processor's code.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseMessage } from './message.js';
import type { FileEvent } from './process-file.js';

/** The part of Powertools' Logger we use; tests may pass a Logger with level SILENT, or a recorder. */
export interface AppLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
  addContext(context: Context): void;
}

/** The part of Powertools' Metrics we use. */
export interface AppMetrics {
  addMetric(name: string, unit: 'Count' | 'Bytes' | 'Milliseconds', value: number): void;
  publishStoredMetrics(): void;
  hasStoredMetrics(): boolean;
}

/**
 * The SQS layer every processor shares (this one and the pod processor): each message's S3 events
 * are handled one at a time by `handleFile`; a test event is acknowledged, a message that is not an
 * S3 notification is retried and then dead-lettered, and metrics are published once per batch.
 */
export function sqsFileHandler<D extends { logger: AppLogger; metrics: AppMetrics }>(
  deps: () => D,
  handleFile: (file: FileEvent, messageId: string, app: D) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    const app = deps();
    app.logger.addContext(context);
    try {
      // Sequential on purpose: memory stays one file's worth, and the per-file log keys stay correct.
      return await processPartialResponse(event, (record: SQSRecord) => handleMessage(record, app, handleFile), processor, {
        context,
        processInParallel: false,
      });
    } finally {
      // A batch of test events or duplicates records nothing; publishing nothing would only log a warning.
      if (app.metrics.hasStoredMetrics()) app.metrics.publishStoredMetrics();
    }
  };
}

async function handleMessage<D extends { logger: AppLogger }>(
  record: SQSRecord,
  app: D,
  handleFile: (file: FileEvent, messageId: string, app: D) => Promise<void>,
): Promise<void> {
  let message: ReturnType<typeof parseMessage>;
  try {
    message = parseMessage(record.body);
  } catch (err) {
    app.logger.error('unrecognized message; it will be retried, then dead-lettered', { message_id: record.messageId, error: err });
    throw err;
  }
  if (message.kind === 'test') {
    app.logger.info('acknowledged s3:TestEvent', { message_id: record.messageId });
    return;
  }
  for (const ignored of message.ignored) {
    app.logger.info('ignored S3 event that is not an object creation', { event_name: ignored.eventName, s3_key: ignored.key });
  }
  for (const file of message.files) {
    await handleFile(file, record.messageId, app);
  }
}

