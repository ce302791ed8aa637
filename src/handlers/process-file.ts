/**
 * Processing one file version, start to finish, against injected ports:
 *
 * 1. Skip it if the metadata table already has an outcome for this exact version (redelivery).
 * 2. Pass 1 (split.ts): stream-parse and validate, streaming processed and rejected NDJSON to S3.
 * 3. Pass 2: only once the whole file parsed, stream the processed NDJSON back and write the events.
 *    So a file that turns out to be malformed half-way never leaves events behind.
 * 4. Record the outcome in the metadata table, last: a crash before this point means a redelivery
 *    redoes the work, which is safe because every key written is deterministic.
 *
 * A bad file (see errors.ts; parse/guard.ts decides which parse failures are the content's) ends as
 * FAILED and is quarantined on the first attempt; transient and unexpected errors propagate so the
 * SQS message is retried. A FAILED file's records_read is 0: a file that cannot be read whole is
 * not split into records at all.
 */
import { processedKey, quarantineKey, rejectedKey } from './contract.js';
import { classifyError, describeError } from './errors.js';
import { type EventSource, type ProcessedRecord, type WriteOptions, toEventItem, writeEvents } from './events.js';
import { type Format, formatOf, parseRecords } from './parse/index.js';
import { readLines } from './parse/text.js';
import type { EventItem, MetadataItem, ObjectRef, Ports, WrittenObject } from './ports.js';
import { splitRecords } from './split.js';

/** A file version to process, from an S3 event notification. */
export interface FileEvent extends ObjectRef {
  /** The event's eventTime: the metadata sort key. */
  eventTime: string;
  size?: number;
  etag?: string;
}

export interface ProcessOptions {
  environment: string;
  now?: () => number;
  writeOptions?: WriteOptions;
}

export type FileOutcome = { duplicate: boolean; item: MetadataItem };

const NDJSON = 'application/x-ndjson';

type Result = Pick<
  MetadataItem,
  'processing_status' | 'records_read' | 'records_processed' | 'records_rejected' | 'error_message' | 'processed_key' | 'rejected_key' | 'quarantine_key'
>;

export async function processFile(file: FileEvent, ports: Ports, options: ProcessOptions): Promise<FileOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const previous = await ports.metadata.get(file.key, file.eventTime);
  if (previous && previous.version_id === file.versionId && previous.etag === file.etag) {
    return { duplicate: true, item: previous };
  }

  let format: Format | undefined;
  let result: Result;
  try {
    format = formatOf(file.key);
    result = await convert(file, format, ports, options);
  } catch (err) {
    result = await failure(err, file, ports);
  }

  const finished = now();
  const item: MetadataItem = {
    filename: file.key,
    upload_timestamp: file.eventTime,
    ...result,
    processing_duration_ms: finished - started,
    file_size: file.size ?? 0,
    ...(file.versionId !== undefined && { version_id: file.versionId }),
    ...(file.etag !== undefined && { etag: file.etag }),
    environment: options.environment,
    bucket: file.bucket,
    processed_at: new Date(finished).toISOString(),
    ...(format !== undefined && { format }),
  };
  await ports.metadata.put(item);
  return { duplicate: false, item };
}

async function convert(file: FileEvent, format: Format, ports: Ports, options: ProcessOptions): Promise<Result> {
  const outputKey = processedKey(file.key);
  const errorsKey = rejectedKey(file.key);
  const split = await splitRecords(parseRecords(format, await ports.objects.read(file)), {
    processed: () => ports.objects.create(file.bucket, outputKey, NDJSON),
    rejected: () => ports.objects.create(file.bucket, errorsKey, NDJSON),
  });
  if (split.accepted > 0) {
    const source: EventSource = { bucket: file.bucket, key: file.key, environment: options.environment };
    if (file.versionId !== undefined) source.versionId = file.versionId;
    await loadEvents({ bucket: file.bucket, key: outputKey }, split.processed, source, ports, options);
  }
  return {
    processing_status: 'SUCCESS',
    records_read: split.read,
    records_processed: split.accepted,
    records_rejected: split.rejected,
    processed_key: outputKey,
    ...(split.wroteRejected && { rejected_key: errorsKey }),
  };
}

/** Pass 2: the processed NDJSON we just wrote → the events table. */
async function loadEvents(
  output: ObjectRef,
  written: WrittenObject,
  source: EventSource,
  ports: Ports,
  options: ProcessOptions,
): Promise<void> {
  try {
    // Read exactly what pass 1 wrote, even if a concurrent run has since overwritten the key.
    const body = await ports.objects.read(output, written);
    await writeEvents(eventItems(body, source), ports.events, options.writeOptions);
  } catch (err) {
    // Our own output missing or unreadable is not the input file's fault: retry rather than FAILED.
    const kind = classifyError(err);
    if (kind === 'gone' || kind === 'format') {
      throw new Error(`cannot read back ${output.key}: ${describeError(err)}`, { cause: err });
    }
    throw err;
  }
}

// Our own lines: a valid record (≤ 400 KB in DynamoDB) can take several times that as escaped JSON.
const MAX_OUTPUT_LINE_BYTES = 8 * 1024 * 1024;

async function* eventItems(body: AsyncIterable<Uint8Array>, source: EventSource): AsyncGenerator<EventItem> {
  for await (const line of readLines(body, MAX_OUTPUT_LINE_BYTES)) {
    if (line.problem !== undefined) throw new Error(`processed output: ${line.problem}`);
    if (line.text !== '') yield toEventItem(JSON.parse(line.text) as ProcessedRecord, source);
  }
}

/** A bad or vanished file becomes a FAILED result; anything else is rethrown for SQS to retry. */
async function failure(err: unknown, file: FileEvent, ports: Ports): Promise<Result> {
  const failed = { processing_status: 'FAILED', records_read: 0, records_processed: 0, records_rejected: 0 } as const;
  const kind = classifyError(err);
  if (kind === 'gone') return { ...failed, error_message: 'object no longer exists' };
  if (kind !== 'format') throw err;

  const message = (err as Error).message;
  const target = quarantineKey(file.key);
  try {
    await ports.objects.copy(file, target);
  } catch (copyErr) {
    if (classifyError(copyErr) !== 'gone') throw copyErr;
    return { ...failed, error_message: `${message} (not quarantined: the object no longer exists)` };
  }
  return { ...failed, error_message: message, quarantine_key: target };
}
