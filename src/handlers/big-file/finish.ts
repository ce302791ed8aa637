/**
 * Step 3 of a big file: its metadata row, written as the small path writes it (outcomeItem), then its
 * delivery started. Three ways in:
 * - Prepare found the file bad: its FAILED outcome, as is.
 * - The map ran: SUCCESS with Prepare's counts. If the map tolerated failed batches
 *   (ToleratedFailurePercentage > 0), the row says how many accepted records were not written
 *   (`records_failed`, from DescribeMapRun) and where the map listed the failed batches.
 * - Prepare or the map failed (the state machine's Catch): FAILED with the reason, `redrivable`, and
 *   the file's S3 event sent to the processor's dead-letter queue, so `tap dlq redrive` runs it again.
 *   The DLQ message goes first: a crash in between repeats it (a duplicate, skipped), never loses it.
 */
import { s3EventBody } from '../message.js';
import { type Result, outcomeItem } from '../process-file.js';
import type { MetadataStore, OutcomeItem } from '../ports.js';
import type { Prepared } from './prepare.js';
import type { BigFileInput } from './route.js';

/** The state machine's state when it reaches Finish. */
export interface FinishInput extends BigFileInput {
  /** The execution's start ($$.Execution.StartTime): the run's duration counts from it. */
  startedAt: string;
  executionArn: string;
  prepared?: Prepared;
  /** The distributed map's output (ResultWriter): its map run and the manifest it wrote. */
  map?: { MapRunArn?: string; ResultWriterDetails?: { Bucket?: string; Key?: string } };
  /** What failed, when a Catch led here. */
  error?: { Error?: string; Cause?: string };
}

export interface MapRunCounts {
  /** Items (records) whose batch failed. */
  failedItems: number;
}

export interface FinishDeps {
  metadata: MetadataStore;
  mapRuns: { counts(mapRunArn: string): Promise<MapRunCounts> };
  /** Sends an SQS message body to the processor's dead-letter queue. */
  deadLetters: { send(body: string): Promise<void> };
  environment: string;
  now?: () => number;
}

export async function finish(input: FinishInput, deps: FinishDeps): Promise<OutcomeItem> {
  const { file } = input;
  let result: Result & { processing_status: 'SUCCESS' | 'FAILED' };
  if (input.error || !input.prepared) {
    await deps.deadLetters.send(s3EventBody(file));
    result = {
      processing_status: 'FAILED',
      records_read: 0,
      records_processed: 0,
      records_rejected: 0,
      error_message: `big-file run failed: ${describe(input.error)}; the file was sent to the dead-letter queue (tap dlq redrive runs it again)`,
      redrivable: true,
    };
  } else {
    result = input.prepared.result as typeof result;
    if (result.processing_status === 'SUCCESS' && input.map?.MapRunArn) {
      const { failedItems } = await deps.mapRuns.counts(input.map.MapRunArn);
      if (failedItems > 0) {
        result = { ...result, records_failed: failedItems, ...(input.map.ResultWriterDetails?.Key && { failed_batches_key: input.map.ResultWriterDetails.Key }) };
      }
    }
  }
  const format = input.prepared?.format;
  const item = outcomeItem(file, { ...result, execution_arn: input.executionArn }, {
    started: Date.parse(input.startedAt),
    finished: (deps.now ?? Date.now)(),
    environment: deps.environment,
    ...(format !== undefined && { format }),
  });
  await deps.metadata.put(item);
  return item;
}

/** `States.TaskFailed: <the cause, shortened>`. */
function describe(error: FinishInput['error']): string {
  if (!error) return 'no result from Prepare';
  let cause = error.Cause ?? '';
  try {
    // A Lambda's failure: the Cause is its JSON error ({errorType, errorMessage, …}).
    const parsed = JSON.parse(cause) as { errorType?: string; errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorType ? `${parsed.errorType}: ${parsed.errorMessage}` : parsed.errorMessage;
  } catch {
    // not JSON: as is
  }
  const text = [error.Error, cause].filter(Boolean).join(': ');
  return text.length > 500 ? `${text.slice(0, 497)}…` : text || 'unknown error';
}
