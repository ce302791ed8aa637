/**
 * Reading the metadata table, which the processor writes (src/handlers/ports.ts MetadataItem): one
 * item per processing of a file version, keyed by filename and the S3 event's time.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ProcessingStatus, RunStatus } from '../handlers/contract.js';
import type { MetadataItem } from '../handlers/ports.js';

/** One processing of one version of a file, as the commands show it. */
export interface FileRun {
  readonly key: string;
  /** The S3 event's time (the table's sort key): when the version was uploaded. */
  readonly uploadedAt: string;
  readonly status: RunStatus;
  readonly recordsProcessed: number;
  readonly recordsRejected: number;
  readonly durationMs: number;
  readonly size: number;
  readonly versionId?: string;
  readonly etag?: string;
  readonly processedAt?: string;
  readonly format?: string;
  readonly error?: string;
  readonly processedKey?: string;
  readonly rejectedKey?: string;
  readonly quarantineKey?: string;
  /** A big file: the state machine execution processing it (src/handlers/big-file). */
  readonly executionArn?: string;
  /** A big file whose map run tolerated failed batches: accepted records that were not written, and where they are listed. */
  readonly recordsFailed?: number;
  readonly failedBatchesKey?: string;
  /** A big file's run that failed and was sent to the DLQ: a redrive runs it again (handlers/ports.ts isSettled). */
  readonly redrivable?: true;
  /** A proof-of-delivery photo's facts (the pod processor's rows). */
  readonly image?: { readonly format: string; readonly width: number; readonly height: number; readonly capturedAt?: string; readonly thumbnailKey?: string };
  /** Its delivery to the webhook, when one was attempted (src/handlers/delivery/notify.ts). */
  readonly delivery?: Delivery;
}

/** A file outcome's delivery to the webhook, as recorded on its metadata item. */
export interface Delivery {
  /** The delivery id (the execution's name), also sent as Tap-Delivery-Id. */
  readonly id: string;
  readonly status: 'SENDING' | 'RETRYING' | 'DELIVERED' | 'FAILED';
  readonly attempts: number;
  /** The last attempt's HTTP status (absent when it got no answer). */
  readonly httpStatus?: number;
  /** When the last attempt ended. */
  readonly at: string;
  readonly error?: string;
}

function deliveryOf(item: Record<string, unknown>): Delivery | undefined {
  if (typeof item['delivery_id'] !== 'string') return undefined;
  const error = item['delivery_error'] ?? item['delivery_final_error'];
  return {
    id: item['delivery_id'],
    status: String(item['delivery_status'] ?? 'SENDING') as Delivery['status'],
    attempts: Number(item['delivery_attempts'] ?? 0),
    ...(item['delivery_http_status'] !== undefined && { httpStatus: Number(item['delivery_http_status']) }),
    at: String(item['delivery_at'] ?? ''),
    ...(error !== undefined && { error: String(error) }),
  };
}

export function toFileRun(item: Partial<MetadataItem>): FileRun {
  const optional = <K extends string, V>(name: K, value: V | undefined) => (value === undefined || value === '' ? {} : ({ [name]: value } as Record<K, V>));
  return {
    key: item.filename ?? '',
    uploadedAt: item.upload_timestamp ?? '',
    status: item.processing_status ?? 'FAILED',
    recordsProcessed: Number(item.records_processed ?? 0),
    recordsRejected: Number(item.records_rejected ?? 0),
    durationMs: Number(item.processing_duration_ms ?? 0),
    size: Number(item.file_size ?? 0),
    ...optional('versionId', item.version_id),
    ...optional('etag', item.etag),
    ...optional('processedAt', item.processed_at),
    ...optional('format', item.format),
    ...optional('error', item.error_message),
    ...optional('processedKey', item.processed_key),
    ...optional('rejectedKey', item.rejected_key),
    ...optional('quarantineKey', item.quarantine_key),
    ...optional('executionArn', item.execution_arn),
    ...optional('recordsFailed', item.records_failed === undefined ? undefined : Number(item.records_failed)),
    ...optional('failedBatchesKey', item.failed_batches_key),
    ...(item.redrivable === true && { redrivable: true }),
    ...optional('delivery', deliveryOf(item as Record<string, unknown>)),
    ...(item.image_format !== undefined && {
      image: {
        format: item.image_format,
        width: Number(item.image_width ?? 0),
        height: Number(item.image_height ?? 0),
        ...optional('capturedAt', item.captured_at),
        ...optional('thumbnailKey', item.thumbnail_key),
      },
    }),
  };
}

/** Every processing of `key`, newest first. */
export async function fileHistory(docs: DynamoDBDocumentClient, table: string, key: string): Promise<FileRun[]> {
  const { runs } = await queryRuns(docs, {
    TableName: table,
    KeyConditionExpression: 'filename = :f',
    ExpressionAttributeValues: { ':f': key },
    ScanIndexForward: false,
  });
  return runs;
}

export interface RecentQuery {
  readonly status: ProcessingStatus;
  /** ISO time: only files uploaded at or after it. */
  readonly since: string;
  /** Stop after this many items (the window may hold more). */
  readonly max: number;
}

/** Files of one status uploaded since a time, newest first, from the by-status index. */
export function recentRuns(docs: DynamoDBDocumentClient, table: string, index: string, query: RecentQuery): Promise<{ runs: FileRun[]; more: boolean }> {
  return queryRuns(
    docs,
    {
      TableName: table,
      IndexName: index,
      KeyConditionExpression: 'processing_status = :s AND upload_timestamp >= :t',
      ExpressionAttributeValues: { ':s': query.status, ':t': query.since },
      ScanIndexForward: false,
    },
    query.max,
  );
}

/** Runs a query through the SDK's paginator, up to `max` items; `more` says whether it stopped early. */
async function queryRuns(docs: DynamoDBDocumentClient, input: QueryCommandInput, max = Infinity): Promise<{ runs: FileRun[]; more: boolean }> {
  const { paginateQuery } = await import('@aws-sdk/lib-dynamodb');
  const runs: FileRun[] = [];
  for await (const page of paginateQuery({ client: docs, pageSize: Math.min(1000, max) }, input)) {
    runs.push(...(page.Items ?? []).map((i) => toFileRun(i as MetadataItem)));
    if (runs.length >= max) return { runs: runs.slice(0, max), more: runs.length > max || page.LastEvaluatedKey !== undefined };
  }
  return { runs, more: false };
}

/** Up to `max` distinct file names from the table, for "did you mean". A bounded scan: never the whole table. */
export async function someFileNames(docs: DynamoDBDocumentClient, table: string, max: number): Promise<string[]> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const names = new Set<string>();
  let start: Record<string, unknown> | undefined;
  let scanned = 0;
  do {
    const page = await docs.send(new ScanCommand({ TableName: table, ProjectionExpression: 'filename', Limit: 1000, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) names.add(String(item['filename']));
    scanned += page.ScannedCount ?? page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && scanned < max);
  return [...names];
}
