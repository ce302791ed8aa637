/**
 * The SQS-facing layer: Powertools' BatchProcessor turns each message into a success or a batch item
 * failure, so one bad message never makes SQS redeliver the messages that succeeded alongside it.
 * Everything it needs is injected; processor.ts wires in the real AWS ports.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type BigFileStarter, handOver, takesBigPath } from './big-file/route.js';
import { PREFIX } from './contract.js';
import { classifyError } from './errors.js';
import { recordMetrics } from './file-metrics.js';
import { type FileEvent, type FileOutcome, type ProcessOptions, processFile } from './process-file.js';
import type { Ports } from './ports.js';
import { type AppLogger, type AppMetrics, sqsFileHandler } from './sqs-batch.js';

export type { AppLogger, AppMetrics };

export interface AppDeps {
  ports: Ports;
  options: ProcessOptions;
  logger: AppLogger;
  metrics: AppMetrics;
  /** Files above `thresholdBytes` go to the big-file state machine (absent: none do). */
  bigFiles?: { starter: BigFileStarter; thresholdBytes: number };
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
    const outcome = await processOrHandOver(file, messageId, app);
    if (!outcome) return;
    const { duplicate, item } = outcome;
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

/**
 * A file at most the threshold is processed here; a larger one is handed to the big-file state
 * machine (undefined: its Finish step records the outcome, its metrics and starts the delivery).
 */
async function processOrHandOver(file: FileEvent, messageId: string, app: AppDeps): Promise<FileOutcome | undefined> {
  const big = app.bigFiles;
  if (!big || !takesBigPath(file, big.thresholdBytes)) return processFile(file, app.ports, app.options);
  const handed = await handOver(file, messageId, { metadata: app.ports.metadata, starter: big.starter, environment: app.options.environment });
  if (handed.duplicate) return handed;
  app.logger.info(handed.started === 'new' ? 'big file handed to the state machine' : 'big file already handed to the state machine (redelivery)', {
    message_id: messageId,
    file_size: file.size,
    threshold_bytes: big.thresholdBytes,
    execution_arn: handed.executionArn,
  });
  return undefined;
}
