/**
 * The SQS-facing layer: Powertools' BatchProcessor turns each message into a success or a batch item
 * failure, so one bad message never makes SQS redeliver the messages that succeeded alongside it.
 * Everything it needs is injected; processor.ts wires in the real AWS ports.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { METRIC, PREFIX } from './contract.js';
import { classifyError } from './errors.js';
import { type FileEvent, type ProcessOptions, processFile } from './process-file.js';
import type { MetadataItem, Ports } from './ports.js';
import { type AppLogger, type AppMetrics, sqsFileHandler } from './sqs-batch.js';

export type { AppLogger, AppMetrics };

export interface AppDeps {
  ports: Ports;
  options: ProcessOptions;
  logger: AppLogger;
  metrics: AppMetrics;
}

// Log keys that identify the file being processed; removed again once it is done.
const FILE_KEYS = ['s3_bucket', 's3_key', 's3_version'];

/** The Lambda handler. `deps` is called on every invocation; cache inside it to build clients once. */
export function createHandler(deps: () => AppDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return sqsFileHandler(deps, handleFile);
}

async function handleFile(file: FileEvent, messageId: string, app: AppDeps): Promise<void> {
  const { logger } = app;
  if (!file.key.startsWith(PREFIX.incoming)) {
    logger.info(`ignored object outside ${PREFIX.incoming}`, { s3_key: file.key });
    return;
  }
  logger.appendKeys({ s3_bucket: file.bucket, s3_key: file.key, s3_version: file.versionId });
  // Ties the invocation's request id to the key before the work: if it then times out or crashes,
  // Lambda's own lines (request id only) are all that follows, and `tap logs --file` finds them so.
  logger.info('processing file', { message_id: messageId });
  try {
    const { duplicate, item } = await processFile(file, app.ports, app.options);
    // Also for a duplicate: a crash between recording the outcome and starting its delivery is
    // mended by the redelivery. The execution's name makes a second start a no-op.
    if (app.ports.deliveries) {
      const delivery = await app.ports.deliveries.start(item);
      logger.info(delivery.started === 'new' ? 'delivery started' : 'delivery already started', { execution_name: delivery.name });
    }
    if (duplicate) {
      logger.info('duplicate delivery: this file version was already processed; skipped', {
        message_id: messageId,
        processing_status: item.processing_status,
        processed_at: item.processed_at,
      });
      return;
    }
    recordMetrics(app.metrics, item);
    const summary = { message_id: messageId, ...item };
    if (item.processing_status === 'SUCCESS') logger.info('file processed', summary);
    else logger.error('file failed; acknowledged without retry', summary);
  } catch (err) {
    const kind = classifyError(err);
    // An unclassified error is retried (nothing is acknowledged unexplained), but it means a failure
    // nobody decided about: say so loudly, it is a bug to classify where it happens.
    const message =
      kind === 'unexpected'
        ? 'UNCLASSIFIED error: the message will be retried, then dead-lettered; please report this as a bug'
        : `${kind} error; the message will be retried`;
    logger.error(message, { message_id: messageId, error_kind: kind, error: err });
    throw err;
  } finally {
    logger.removeKeys(FILE_KEYS);
  }
}

function recordMetrics(metrics: AppMetrics, item: MetadataItem): void {
  const ok = item.processing_status === 'SUCCESS';
  metrics.addMetric(ok ? METRIC.filesProcessed : METRIC.filesFailed, MetricUnit.Count, 1);
  metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, item.records_processed);
  metrics.addMetric(METRIC.recordsRejected, MetricUnit.Count, item.records_rejected);
  metrics.addMetric(METRIC.fileSize, MetricUnit.Bytes, item.file_size);
  metrics.addMetric(METRIC.duration, MetricUnit.Milliseconds, item.processing_duration_ms);
}
