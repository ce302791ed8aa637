/**
 * The contract between the stack (src/infra), the processor (src/handlers) and the CLI's operations:
 * environment variable names, S3 key layout, metric names. One place, so that the three cannot drift.
 * Nothing here may import anything: it is bundled into the Lambda and loaded by the CLI.
 */

/** Environment variables the stack sets on the processor function. */
export const ENV = {
  metadataTable: 'METADATA_TABLE',
  eventsTable: 'EVENTS_TABLE',
  environment: 'TAP_ENV',
  /** The API handler's: where uploads go, the queues whose depths it reports, the alarms' name prefix. */
  bucket: 'UPLOAD_BUCKET',
  ingestQueueUrl: 'INGEST_QUEUE_URL',
  dlqUrl: 'DLQ_URL',
  alarmPrefix: 'ALARM_PREFIX',
} as const;

/** S3 prefixes. Only `incoming/` triggers processing, so outputs never re-trigger the pipeline. */
export const PREFIX = {
  incoming: 'incoming/',
  processed: 'processed/',
  rejected: 'rejected/',
  quarantine: 'quarantine/',
  /** Proof-of-delivery photos, `pod/<shipment_id>/<name>`: their own notification, queue and processor. */
  pod: 'pod/',
  thumbnails: 'thumbnails/',
} as const;

/** Names the CLI reads from the stack's outputs (CloudFormation output keys). */
export const OUTPUT = {
  bucket: 'UploadBucketName',
  queueUrl: 'IngestQueueUrl',
  queueArn: 'IngestQueueArn',
  dlqUrl: 'DeadLetterQueueUrl',
  dlqArn: 'DeadLetterQueueArn',
  functionName: 'ProcessorFunctionName',
  logGroup: 'ProcessorLogGroupName',
  metadataTable: 'MetadataTableName',
  statusIndex: 'MetadataStatusIndexName',
  eventsTable: 'ShipmentEventsTableName',
  alarmTopic: 'AlarmTopicArn',
  metricsNamespace: 'MetricsNamespace',
  environment: 'Environment',
  apiUrl: 'ApiUrl',
  apiId: 'ApiId',
  podQueueUrl: 'PodQueueUrl',
  podDlqUrl: 'PodDeadLetterQueueUrl',
  podFunctionName: 'PodProcessorFunctionName',
  podLogGroup: 'PodProcessorLogGroupName',
} as const;

/** The metadata table's GSI that lists files by status and time. */
export const STATUS_INDEX = 'by-status';

export type ProcessingStatus = 'SUCCESS' | 'FAILED';

/** Metric names emitted in embedded metric format; the alarms in src/infra refer to the same names. */
export const METRIC = {
  filesProcessed: 'FilesProcessed',
  filesFailed: 'FilesFailed',
  recordsProcessed: 'RecordsProcessed',
  recordsRejected: 'RecordsRejected',
  fileSize: 'FileSizeBytes',
  duration: 'ProcessingDurationMs',
} as const;

/** The pod processor's metrics (same namespace, its own `service` dimension: POD_SERVICE_NAME). */
export const POD_METRIC = {
  photosProcessed: 'PhotosProcessed',
  photosFailed: 'PhotosFailed',
  photoSize: 'PhotoSizeBytes',
  duration: 'PhotoProcessingDurationMs',
} as const;

export const POD_SERVICE_NAME = 'pod-processor';

/** The one dimension every metric carries (Powertools' `service`), so alarms can name it exactly. */
export const SERVICE_NAME = 'shipment-processor';

/** CloudWatch namespace of the metrics of one environment. */
export function metricsNamespace(env: string): string {
  return `Tap/${env}`;
}

/** `incoming/a/b.csv` → `a/b.csv`: the part of a key that output keys are built from. */
export function relativeKey(key: string): string {
  return key.startsWith(PREFIX.incoming) ? key.slice(PREFIX.incoming.length) : key;
}

export function processedKey(key: string): string {
  return `${PREFIX.processed}${relativeKey(key)}.ndjson`;
}

export function rejectedKey(key: string): string {
  return `${PREFIX.rejected}${relativeKey(key)}.errors.ndjson`;
}

export function quarantineKey(key: string): string {
  return `${PREFIX.quarantine}${relativeKey(key)}`;
}

/** Shipment ids as the pod/ layout accepts them: one path segment, no surprises in a key or a URL. */
export const SHIPMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `pod/<shipment_id>/<name>` → its parts, or undefined when the key does not follow the layout. */
export function parsePodKey(key: string): { shipmentId: string; name: string } | undefined {
  if (!key.startsWith(PREFIX.pod)) return undefined;
  const rest = key.slice(PREFIX.pod.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const shipmentId = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  return SHIPMENT_ID.test(shipmentId) && name !== '' && !name.endsWith('/') ? { shipmentId, name } : undefined;
}

/** `pod/S-1/a/photo.heic` → `thumbnails/S-1/a/photo.heic.jpg` (never collides with another photo's). */
export function thumbnailKey(key: string): string {
  return `${PREFIX.thumbnails}${key.startsWith(PREFIX.pod) ? key.slice(PREFIX.pod.length) : key}.jpg`;
}
