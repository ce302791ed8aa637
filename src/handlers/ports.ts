/**
 * The narrow interfaces the processing logic needs from the outside world. aws.ts implements them
 * with the AWS SDK; unit tests implement them in memory. Nothing here imports the SDK.
 */
import type { ProcessingStatus, RunStatus } from './contract.js';
import type { Format } from './parse/index.js';

/** One S3 object version, as named by an S3 event notification (key already URL-decoded). */
export interface ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
}

/** Identifies what a writer produced, so that it can be read back exactly (not a later overwrite). */
export interface WrittenObject {
  versionId?: string;
  etag?: string;
}

/** A streaming upload. Nothing is visible in the bucket until `close()` succeeds. */
export interface ObjectWriter {
  /** Appends text; resolves when the writer can take more (back-pressure). */
  write(text: string): Promise<void>;
  close(): Promise<WrittenObject>;
  /** Discards everything written so far; safe to call after a failed write. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** The object's bytes, streamed. Rejects with NoSuchKey/NoSuchVersion when it no longer exists. */
  read(ref: ObjectRef, expect?: WrittenObject): Promise<AsyncIterable<Uint8Array>>;
  create(bucket: string, key: string, contentType: string): ObjectWriter;
  /** Server-side copy of exactly `from` (with its version) to `toKey` in the same bucket. */
  copy(from: ObjectRef, toKey: string): Promise<void>;
}

/** One row of the metadata table: the outcome of processing one version of one file. */
export interface MetadataItem {
  /** Partition key: the decoded S3 key. */
  filename: string;
  /** Sort key: the S3 event's eventTime, so a redelivery maps to the same item. */
  upload_timestamp: string;
  processing_status: RunStatus;
  processing_duration_ms: number;
  /** Records read from the file: always records_processed + records_rejected. */
  records_read?: number;
  records_processed: number;
  records_rejected: number;
  file_size: number;
  version_id?: string;
  etag?: string;
  environment: string;
  bucket: string;
  /** Wall clock when processing finished; informational only. */
  processed_at: string;
  format?: Format;
  error_message?: string;
  processed_key?: string;
  rejected_key?: string;
  quarantine_key?: string;
  /** A big file (src/handlers/big-file): the state machine execution that processes it. */
  execution_arn?: string;
  /** A big file whose map run tolerated failed batches: accepted records that were not written. */
  records_failed?: number;
  /** …and where the map run listed the failed batches (its ResultWriter's FAILED_*.json). */
  failed_batches_key?: string;
  /**
   * FAILED for a reason that is not the file's (a big file's map run failed): its S3 event was sent to
   * the dead-letter queue, and a redrive processes the version again instead of skipping it.
   */
  redrivable?: boolean;
  /** Photos (the pod processor): what the image is, when it was taken, where its thumbnail is. */
  shipment_id?: string;
  image_format?: string;
  image_width?: number;
  image_height?: number;
  captured_at?: string;
  thumbnail_key?: string;
}

export interface MetadataStore {
  get(filename: string, uploadTimestamp: string): Promise<MetadataItem | undefined>;
  put(item: MetadataItem): Promise<void>;
  /**
   * Puts a PROCESSING row unless the item already holds an outcome that stands (see isSettled), so a
   * late redelivery never hides a finished run. Resolves with whether it was put.
   */
  putProcessing(item: MetadataItem): Promise<boolean>;
}

/** A row that records an outcome (not a run in progress): what deliveries are about. */
export type OutcomeItem = MetadataItem & { processing_status: ProcessingStatus };

/** Whether a row records an outcome. */
export function isOutcome(item: MetadataItem): item is OutcomeItem {
  return item.processing_status !== 'PROCESSING';
}

/** Whether a row is an outcome that a redelivery of the same version must not redo. */
export function isSettled(item: Pick<MetadataItem, 'processing_status' | 'redrivable'>): boolean {
  return item.processing_status !== 'PROCESSING' && item.redrivable !== true;
}

/** Whether a row is a standing outcome of this very version: then a redelivery is skipped. */
export function isOutcomeOf(row: MetadataItem, file: { versionId?: string; etag?: string }): row is OutcomeItem {
  return isSettled(row) && row.version_id === file.versionId && row.etag === file.etag;
}

/** One item of the shipment events table: a record's fields plus its provenance. */
export interface EventItem {
  shipment_id: string;
  event_key: string;
  [attribute: string]: unknown;
}

export interface EventStore {
  /** Writes up to 25 items in one request; resolves with the items DynamoDB left unprocessed. */
  writeBatch(items: EventItem[]): Promise<EventItem[]>;
}

/** Starts the delivery of a file outcome to the environment's webhook (the delivery state machine). */
export interface DeliveryStarter {
  /** 'existing': an execution of that name had closed (a late duplicate event or a redrive). */
  start(item: OutcomeItem): Promise<{ name: string; started: 'new' | 'existing' }>;
}

/** Everything processing a file needs, injected. */
export interface Ports {
  objects: ObjectStore;
  metadata: MetadataStore;
  events: EventStore;
  /** Absent when the stack has no delivery state machine. */
  deliveries?: DeliveryStarter;
}
