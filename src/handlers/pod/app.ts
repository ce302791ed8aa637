/**
 * The pod processor's SQS-facing layer, as app.ts is the file processor's: Powertools' BatchProcessor
 * turns each message into a success or a batch item failure; photos are processed one at a time, so
 * memory stays one photo's worth (see bench/pod.ts for how much that is).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AppLogger, type AppMetrics, sqsFileHandler } from '../sqs-batch.js';
import { POD_METRIC, PREFIX } from '../contract.js';
import { classifyError } from '../errors.js';
import type { FileEvent } from '../process-file.js';
import type { MetadataItem } from '../ports.js';
import { type PhotoOptions, type PodPorts, processPhoto } from './process-photo.js';

export interface PodDeps {
  ports: PodPorts;
  options: PhotoOptions;
  logger: AppLogger;
  metrics: AppMetrics;
}

const PHOTO_KEYS = ['s3_bucket', 's3_key', 's3_version'];

export function createPodHandler(deps: () => PodDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return sqsFileHandler(deps, handlePhoto);
}

async function handlePhoto(file: FileEvent, messageId: string, app: PodDeps): Promise<void> {
  const { logger } = app;
  if (!file.key.startsWith(PREFIX.pod)) return logger.info(`ignored object outside ${PREFIX.pod}`, { s3_key: file.key });
  logger.appendKeys({ s3_bucket: file.bucket, s3_key: file.key, s3_version: file.versionId });
  logger.info('processing photo', { message_id: messageId });
  try {
    const { duplicate, item } = await processPhoto(file, app.ports, app.options);
    if (duplicate) return logger.info('duplicate delivery: this photo version was already processed; skipped', { message_id: messageId, processed_at: item.processed_at });
    recordMetrics(app.metrics, item);
    // The resident set after the photo: what a 12-megapixel photo, or a refused bomb, really cost.
    const summary = { message_id: messageId, ...item, rss_mb: Math.round(process.memoryUsage().rss / 1048576) };
    if (item.processing_status === 'SUCCESS') logger.info('photo processed', summary);
    else logger.error('photo failed; acknowledged without retry', summary);
  } catch (err) {
    const kind = classifyError(err);
    logger.error(kind === 'unexpected' ? 'UNCLASSIFIED error: the message will be retried, then dead-lettered; please report this as a bug' : `${kind} error; the message will be retried`, {
      message_id: messageId,
      error_kind: kind,
      error: err,
    });
    throw err;
  } finally {
    logger.removeKeys(PHOTO_KEYS);
  }
}

function recordMetrics(metrics: AppMetrics, item: MetadataItem): void {
  metrics.addMetric(item.processing_status === 'SUCCESS' ? POD_METRIC.photosProcessed : POD_METRIC.photosFailed, MetricUnit.Count, 1);
  metrics.addMetric(POD_METRIC.photoSize, MetricUnit.Bytes, item.file_size);
  metrics.addMetric(POD_METRIC.duration, MetricUnit.Milliseconds, item.processing_duration_ms);
}
