/** The metrics of one file outcome, the same whichever path (small or big file) processed it. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC } from './contract.js';
import type { OutcomeItem } from './ports.js';
import type { AppMetrics } from './sqs-batch.js';

export function recordMetrics(metrics: AppMetrics, item: OutcomeItem): void {
  const ok = item.processing_status === 'SUCCESS';
  metrics.addMetric(ok ? METRIC.filesProcessed : METRIC.filesFailed, MetricUnit.Count, 1);
  metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, item.records_processed);
  metrics.addMetric(METRIC.recordsRejected, MetricUnit.Count, item.records_rejected);
  metrics.addMetric(METRIC.fileSize, MetricUnit.Bytes, item.file_size);
  metrics.addMetric(METRIC.duration, MetricUnit.Milliseconds, item.processing_duration_ms);
}
