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
  /** The processor's: the delivery state machine it starts once per file outcome (absent: none). */
  deliveryStateMachine: 'DELIVERY_STATE_MACHINE_ARN',
  /** The notifier's: the secret holding the webhook signing key. */
  webhookSecret: 'WEBHOOK_SECRET_ID',
  /** The processor's: files larger than this many bytes go to the big-file state machine. */
  bigFileThreshold: 'BIG_FILE_THRESHOLD_BYTES',
  /** The processor's: the big-file state machine (absent: every file takes the small path). */
  bigFileStateMachine: 'BIG_FILE_STATE_MACHINE_ARN',
  /** The big-file Finish function's: where a file whose map run failed is sent for `tap dlq redrive`. */
  deadLetterQueueUrl: 'PROCESSOR_DLQ_URL',
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
  /** The big-file map runs' ResultWriter output (manifest, failed batches), expired like quarantine/. */
  mapResults: 'map-results/',
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
  deliveryStateMachine: 'DeliveryStateMachineArn',
  webhookSecret: 'WebhookSecretArn',
  notifierLogGroup: 'NotifierLogGroupName',
  podQueueUrl: 'PodQueueUrl',
  podQueueArn: 'PodQueueArn',
  podDlqUrl: 'PodDeadLetterQueueUrl',
  podDlqArn: 'PodDeadLetterQueueArn',
  podFunctionName: 'PodProcessorFunctionName',
  podLogGroup: 'PodProcessorLogGroupName',
  bigFileStateMachine: 'BigFileStateMachineArn',
  /** The big-file functions' log groups (Prepare, Batch, Finish), comma-separated. */
  bigFileLogGroups: 'BigFileLogGroupNames',
} as const;

/** The metadata table's GSI that lists files by status and time. */
export const STATUS_INDEX = 'by-status';

/** A file's outcome. */
export type ProcessingStatus = 'SUCCESS' | 'FAILED';

/** A metadata row's status: an outcome, or PROCESSING while a big file's state machine runs. */
export type RunStatus = ProcessingStatus | 'PROCESSING';

/** Metric names emitted in embedded metric format; the alarms in src/infra refer to the same names. */
export const METRIC = {
  filesProcessed: 'FilesProcessed',
  filesFailed: 'FilesFailed',
  recordsProcessed: 'RecordsProcessed',
  recordsRejected: 'RecordsRejected',
  fileSize: 'FileSizeBytes',
  duration: 'ProcessingDurationMs',
  /** The notifier's (dimension service=NOTIFIER_SERVICE_NAME): outcomes a webhook took, and gave up on. */
  deliveriesSucceeded: 'DeliveriesSucceeded',
  deliveriesFailed: 'DeliveriesFailed',
  deliveryAttempts: 'DeliveryAttempts',
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

/** The notifier's `service` dimension and log key. */
export const NOTIFIER_SERVICE_NAME = 'result-notifier';

/** The secret that holds the webhook signing key of an environment (`{"signingKey": "..."}`). */
export function webhookSecretName(env: string): string {
  return `tap/${env}/webhook`;
}

/** The state machine that delivers file outcomes to the environment's webhook. */
export function deliveryStateMachineName(env: string): string {
  return `tap-${env}-delivery`;
}

/** The Standard state machine that processes files above the threshold (src/infra/big-file.ts). */
export function bigFileStateMachineName(env: string): string {
  return `tap-${env}-big-file`;
}

/**
 * The largest accepted record (its processed JSON line, UTF-8 bytes) the big-file path can carry: the
 * distributed map hands records to Batch in child executions whose input is at most 256 KiB, and a
 * batch keeps 8 KiB for its envelope and BatchInput (the source, a key of up to 1 KiB). A larger
 * record would fail the map run (ItemReader: a line over 256 KiB; a child: input too large) and the
 * file with it, again on every redrive, so Prepare rejects that record with this limit in its reason.
 */
export const BIG_FILE_MAX_RECORD_BYTES = 256 * 1024 - 8 * 1024;

/** CloudWatch namespace of the metrics of one environment. */
export function metricsNamespace(env: string): string {
  return `Tap/${env}`;
}

/**
 * The file formats the processor reads, by extension (matched case-insensitively), and the content
 * type an upload declares for each. Every other list of formats (the parser, the upload checks, their
 * messages) is derived from this one.
 */
export const INPUT_FORMATS = {
  '.json': { format: 'json', contentType: 'application/json' },
  '.ndjson': { format: 'ndjson', contentType: 'application/x-ndjson' },
  '.jsonl': { format: 'ndjson', contentType: 'application/x-ndjson' },
  '.csv': { format: 'csv', contentType: 'text/csv' },
  '.log': { format: 'log', contentType: 'text/plain' },
  '.txt': { format: 'log', contentType: 'text/plain' },
} as const;

export type InputExtension = keyof typeof INPUT_FORMATS;
export type InputFormat = (typeof INPUT_FORMATS)[InputExtension]['format'];
export const INPUT_EXTENSIONS = Object.keys(INPUT_FORMATS) as InputExtension[];

/** `.json, .ndjson, .jsonl, .csv, .log or .txt` (or `… and .txt`), for messages. */
export function listInputExtensions(last: 'or' | 'and' = 'or'): string {
  return `${INPUT_EXTENSIONS.slice(0, -1).join(', ')} ${last} ${INPUT_EXTENSIONS.at(-1)}`;
}

/**
 * The extension of the last segment of a name or key, as written (`.CSV`), or undefined when it has
 * none. A leading dot (`.csv`) is a hidden file's name, not an extension.
 */
export function extensionOf(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : undefined;
}

/** What the processor makes of a file of this name, or undefined when it cannot read it. */
export function inputFormatOf(key: string): (typeof INPUT_FORMATS)[InputExtension] | undefined {
  const extension = extensionOf(key)?.toLowerCase();
  return extension !== undefined && Object.hasOwn(INPUT_FORMATS, extension) ? INPUT_FORMATS[extension as InputExtension] : undefined;
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
