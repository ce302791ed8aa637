/**
 * Processing one file version, start to finish, against injected ports:
 *
 * 1. Skip it if the metadata table already has an outcome for this exact version (redelivery).
 * 2. Pass 1 (split.ts): stream-parse and validate, streaming processed and rejected NDJSON to S3,
 *    keeping the accepted records in memory too while they fit in `keepBytes`.
 * 3. Pass 2: only once the whole file parsed, write the events: from memory, or by streaming the
 *    processed NDJSON back when it was too large to keep. So a file that turns out to be malformed
 *    half-way never leaves events behind.
 * 4. Record the outcome in the metadata table, last: a crash before this point means a redelivery
 *    redoes the work, which is safe because every key written is deterministic.
 *
 * A bad file (see errors.ts; parse/guard.ts decides which parse failures are the content's) ends as
 * FAILED and is quarantined on the first attempt; transient and unexpected errors propagate so the
 * SQS message is retried. A FAILED file's records_read is 0: a file that cannot be read whole is
 * not split into records at all.
 *
 * Files above the big-file threshold take another path (src/handlers/big-file) that runs the same
 * pass 1 (`splitFile`, `failure`) and records its outcome through the same `outcomeItem`.
 */
import { type ProcessingStatus, processedKey, quarantineKey, rejectedKey } from './contract.js';
import { classifyError, describeError } from './errors.js';
import { type EventSource, type ProcessedRecord, type WriteOptions, toEventItem, writeEvents } from './events.js';
import { type Format, formatOf, parseRecords } from './parse/index.js';
import { readLines } from './parse/text.js';
import { type EventItem, type MetadataItem, type ObjectRef, type OutcomeItem, type Ports, type WrittenObject, isOutcomeOf } from './ports.js';
import { type SplitOptions, type SplitResult, splitRecords } from './split.js';

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
  /** Keep accepted records of up to this many bytes in memory between the passes (default 16 MiB). */
  keepBytes?: number;
}

const DEFAULT_KEEP_BYTES = 16 * 1024 * 1024;

export type FileOutcome = { duplicate: boolean; item: OutcomeItem };

const NDJSON = 'application/x-ndjson';

/** What processing a file found; the rest of its metadata row is the file's (see outcomeItem). */
export type Result = Pick<
  MetadataItem,
  | 'processing_status'
  | 'records_read'
  | 'records_processed'
  | 'records_rejected'
  | 'error_message'
  | 'processed_key'
  | 'rejected_key'
  | 'quarantine_key'
  | 'records_failed'
  | 'failed_batches_key'
  | 'redrivable'
  | 'execution_arn'
>;

export async function processFile(file: FileEvent, ports: Ports, options: ProcessOptions): Promise<FileOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const previous = await ports.metadata.get(file.key, file.eventTime);
  if (previous && isOutcomeOf(previous, file)) return { duplicate: true, item: previous };

  let format: Format | undefined;
  let result: Result & { processing_status: ProcessingStatus };
  try {
    format = formatOf(file.key);
    result = await convert(file, format, ports, options);
  } catch (err) {
    result = await failure(err, file, ports);
  }
  const item = outcomeItem(file, result, { started, finished: now(), environment: options.environment, ...(format !== undefined && { format }) });
  await ports.metadata.put(item);
  return { duplicate: false, item };
}

/** The metadata row of a processing: the same fields whichever path processed the file. */
export function outcomeItem(file: FileEvent, result: Result & { processing_status: ProcessingStatus }, run: { started: number; finished: number; environment: string; format?: Format }): OutcomeItem {
  return {
    filename: file.key,
    upload_timestamp: file.eventTime,
    ...result,
    processing_duration_ms: run.finished - run.started,
    file_size: file.size ?? 0,
    ...(file.versionId !== undefined && { version_id: file.versionId }),
    ...(file.etag !== undefined && { etag: file.etag }),
    environment: run.environment,
    bucket: file.bucket,
    processed_at: new Date(run.finished).toISOString(),
    ...(run.format !== undefined && { format: run.format }),
  };
}

/** Pass 1 and where it wrote. */
export interface SplitFile {
  split: SplitResult;
  processedKey: string;
  rejectedKey: string;
}

/** Pass 1 (split.ts) of a file: its processed and rejected outputs. Throws what `failure` classifies. */
export async function splitFile(file: FileEvent, format: Format, ports: Pick<Ports, 'objects'>, options: SplitOptions = {}): Promise<SplitFile> {
  const outputKey = processedKey(file.key);
  const errorsKey = rejectedKey(file.key);
  const split = await splitRecords(
    parseRecords(format, await ports.objects.read(file)),
    {
      processed: () => ports.objects.create(file.bucket, outputKey, NDJSON),
      rejected: () => ports.objects.create(file.bucket, errorsKey, NDJSON),
    },
    options,
  );
  return { split, processedKey: outputKey, rejectedKey: errorsKey };
}

/** A file whose pass 1 completed: SUCCESS, with its counts and outputs. */
export function splitResult({ split, processedKey, rejectedKey }: SplitFile): Result & { processing_status: 'SUCCESS' } {
  return {
    processing_status: 'SUCCESS',
    records_read: split.read,
    records_processed: split.accepted,
    records_rejected: split.rejected,
    processed_key: processedKey,
    ...(split.wroteRejected && { rejected_key: rejectedKey }),
  };
}

/** Where a file version's events come from. */
export function eventSource(file: FileEvent, environment: string): EventSource {
  const source: EventSource = { bucket: file.bucket, key: file.key, environment };
  if (file.versionId !== undefined) source.versionId = file.versionId;
  return source;
}

async function convert(file: FileEvent, format: Format, ports: Ports, options: ProcessOptions): Promise<Result & { processing_status: 'SUCCESS' }> {
  const pass1 = await splitFile(file, format, ports, { keepBytes: options.keepBytes ?? DEFAULT_KEEP_BYTES });
  const { split } = pass1;
  if (split.accepted > 0) {
    const source = eventSource(file, options.environment);
    if (split.records) {
      await writeEvents(fromMemory(split.records, source), ports.events, options.writeOptions);
    } else {
      await loadEvents({ bucket: file.bucket, key: pass1.processedKey }, split.processed, source, ports, options);
    }
  }
  return splitResult(pass1);
}

async function* fromMemory(records: ProcessedRecord[], source: EventSource): AsyncGenerator<EventItem> {
  for (const record of records) yield toEventItem(record, source);
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
export async function failure(err: unknown, file: FileEvent, ports: Pick<Ports, 'objects'>): Promise<Result & { processing_status: 'FAILED' }> {
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
