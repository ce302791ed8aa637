/**
 * The processor's side of the big-file path: which files take it, the execution's name, and handing
 * a file over (start the execution, then record it as PROCESSING so `tap status` can follow it).
 *
 * The name is a hash of the file version (bucket, key, version, ETag) and the SQS message id, so a
 * redelivery of the same message starts nothing new: Step Functions answers a same-name start with
 * the same input by returning the running execution, and a closed one with ExecutionAlreadyExists,
 * which means "already started". A file whose run failed is sent to the DLQ as a new message (see
 * finish.ts): its redrive has another message id, so another name, so a new run.
 */
import { createHash } from 'node:crypto';
import { formatOf } from '../parse/index.js';
import type { FileEvent } from '../process-file.js';
import { type MetadataItem, type MetadataStore, type OutcomeItem, isOutcomeOf } from '../ports.js';

/** The big-file state machine's input. */
export interface BigFileInput {
  file: FileEvent;
  messageId: string;
}

/** Starts executions of the big-file state machine. */
export interface BigFileStarter {
  /** 'existing': an execution of that name exists (a redelivery of the same message). */
  start(name: string, input: BigFileInput): Promise<{ executionArn: string; started: 'new' | 'existing' }>;
}

/** Step Functions' execution names: at most 80 of [A-Za-z0-9_-]. */
const NAME_STEM = 40;

/** `<readable part of the file name>-<40 hex digits>`: unique per file version and message. */
export function bigFileExecutionName(file: FileEvent, messageId: string): string {
  const identity = `${file.bucket}/${file.key}#${file.versionId ?? ''}#${file.etag ?? ''}#${messageId}`;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 40);
  const stem = (file.key.slice(file.key.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, NAME_STEM) || 'file').replace(/^_+|_+$/g, '') || 'file';
  return `${stem}-${hash}`;
}

/** Whether a file goes to the state machine: only when its size is known and above the threshold. */
export function takesBigPath(file: FileEvent, thresholdBytes: number): boolean {
  return file.size !== undefined && file.size > thresholdBytes;
}

export type HandOver =
  | { duplicate: true; item: OutcomeItem }
  | { duplicate: false; executionArn: string; name: string; started: 'new' | 'existing'; recorded: boolean };

export interface HandOverDeps {
  metadata: MetadataStore;
  starter: BigFileStarter;
  environment: string;
  now?: () => number;
}

/** Hands a file version to the big-file state machine, unless it already has an outcome. */
export async function handOver(file: FileEvent, messageId: string, deps: HandOverDeps): Promise<HandOver> {
  const previous = await deps.metadata.get(file.key, file.eventTime);
  if (previous && isOutcomeOf(previous, file)) return { duplicate: true, item: previous };
  const name = bigFileExecutionName(file, messageId);
  const { executionArn, started } = await deps.starter.start(name, { file, messageId });
  // After the start, so the row can name the execution. Conditional: if the run was quick enough
  // to record its outcome already, that outcome stays.
  const recorded = await deps.metadata.putProcessing(processingRow(file, executionArn, deps.environment, (deps.now ?? Date.now)()));
  return { duplicate: false, executionArn, name, started, recorded };
}

function processingRow(file: FileEvent, executionArn: string, environment: string, now: number): MetadataItem {
  let format: ReturnType<typeof formatOf> | undefined;
  try {
    format = formatOf(file.key);
  } catch {
    // An unsupported type ends FAILED in Prepare, with the same message as on the small path.
  }
  return {
    filename: file.key,
    upload_timestamp: file.eventTime,
    processing_status: 'PROCESSING',
    processing_duration_ms: 0,
    records_processed: 0,
    records_rejected: 0,
    file_size: file.size ?? 0,
    ...(file.versionId !== undefined && { version_id: file.versionId }),
    ...(file.etag !== undefined && { etag: file.etag }),
    environment,
    bucket: file.bucket,
    // While PROCESSING: when the file was handed over.
    processed_at: new Date(now).toISOString(),
    ...(format !== undefined && { format }),
    execution_arn: executionArn,
  };
}
