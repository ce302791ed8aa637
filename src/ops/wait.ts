/**
 * Following uploaded (or redriven) file versions through the pipeline until each has an outcome: its
 * metadata item appears (SUCCESS or FAILED), its message lands in the dead-letter queue, or time runs out.
 *
 * Looking into the DLQ is a receive, and every receive adds to a message's receive count, so it is
 * done only when the answer needs it: when the DLQ's depth (a queue attribute, free to read) has grown
 * since the last look while files are still without an outcome, and once more before giving up.
 */
import { sleep } from './abort.js';
import type { Clients } from './clients.js';
import { isSettled } from '../handlers/ports.js';
import { fileHistory, type FileRun } from './metadata.js';
import type { Pipeline } from './pipeline.js';
import { mentions, peek, queueDepth } from './queue-messages.js';
import type { Reporter } from './reporter.js';

/** A file version to follow. */
export interface Followed {
  readonly key: string;
  readonly versionId?: string;
  /** Used to recognise the item when the bucket is not versioned (no version id). */
  readonly etag?: string;
  /** The S3 event's time, when known (a redriven message): the metadata item's sort key. */
  readonly eventTime?: string;
  /** Wall clock (ms) after which its item may appear; older items of an unversioned key are not it. */
  readonly after: number;
  /**
   * `processedAt` of runs that were there before (a redriven version's earlier run: the table keeps one
   * item per upload, and the new run overwrites it). These are not its outcome; the next run is.
   */
  readonly before?: readonly string[];
}

/** How a followed file ended. `waitedMs` counts from the start of the wait. */
export type Outcome =
  | {
      readonly key: string;
      readonly versionId?: string;
      readonly outcome: 'SUCCESS' | 'FAILED';
      readonly run: FileRun;
      readonly waitedMs: number;
      /** The version had this outcome before it was redriven, so the processor skips it: nothing new to wait for. */
      readonly alreadyProcessed?: true;
    }
  | { readonly key: string; readonly versionId?: string; readonly outcome: 'DEAD_LETTERED'; readonly messageId: string; readonly receiveCount: number; readonly waitedMs: number }
  | { readonly key: string; readonly versionId?: string; readonly outcome: 'TIMED_OUT'; readonly waitedMs: number };

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly intervalMs?: number;
}

/** Whether a metadata item is the outcome of this exact version. */
export function isRunOf(run: FileRun, file: Followed): boolean {
  if (file.before?.length && (run.processedAt === undefined || file.before.includes(run.processedAt))) return false;
  if (file.versionId) return run.versionId === file.versionId;
  const etag = file.etag?.replace(/"/g, '');
  return (!etag || run.etag?.replace(/"/g, '') === etag) && Date.parse(run.processedAt ?? run.uploadedAt) >= file.after - 5_000;
}

/**
 * The outcome the processor will keep for a redriven version: it skips an S3 event whose item (same
 * key and event time) already has a settled outcome (final, not a redrivable big-file failure) for
 * the same version id and ETag (src/handlers/process-file.ts), so a run recorded before the redrive is
 * that version's outcome.
 */
export function earlierOutcome(runs: readonly FileRun[], file: Followed): FileRun | undefined {
  const etag = (value?: string) => value?.replace(/"/g, '');
  return runs.find(
    (r) =>
      isSettled({ processing_status: r.status, redrivable: r.redrivable }) &&
      (file.eventTime === undefined || r.uploadedAt === file.eventTime) &&
      r.versionId === file.versionId &&
      etag(r.etag) === etag(file.etag),
  );
}

/** Resolves when every file has an outcome (or the signal fires: the outcomes so far, the rest absent). */
export async function waitForOutcomes(clients: Clients, pipeline: Pipeline, files: readonly Followed[], options: WaitOptions, reporter: Reporter): Promise<Outcome[]> {
  const { intervalMs = 1000, signal } = options;
  const [docs, sqs] = await Promise.all([clients.documents(), clients.sqs()]);
  const started = performance.now();
  const outcomes = new Map<Followed, Outcome>();
  const elapsed = () => Math.round(performance.now() - started);
  // Whatever waits in the DLQ now was there before these files' messages could be: not theirs.
  const depthOf = async () => {
    const d = await queueDepth(sqs, pipeline.dlqUrl);
    return d.visible + d.inFlight;
  };
  let seenDepth = await depthOf();
  const lookIntoDlq = async () => {
    const { visible } = await queueDepth(sqs, pipeline.dlqUrl);
    if (!visible) return;
    for (const message of await peek(sqs, pipeline.dlqUrl, 100, visible)) {
      for (const file of files.filter((f) => !outcomes.has(f) && mentions(message, f.key, f.versionId))) {
        outcomes.set(file, { key: file.key, ...version(file), outcome: 'DEAD_LETTERED', messageId: message.messageId, receiveCount: message.receiveCount, waitedMs: elapsed() });
      }
    }
  };

  while (outcomes.size < files.length && !signal?.aborted) {
    const pending = files.filter((f) => !outcomes.has(f));
    await Promise.all(
      pending.map(async (file) => {
        const run = (await fileHistory(docs, pipeline.metadataTable, file.key)).find((r) => isRunOf(r, file));
        if (run?.status === 'PROCESSING') await reportBigFile(run, clients, reporter);
        else if (run) outcomes.set(file, { key: file.key, ...version(file), outcome: run.status, run, waitedMs: elapsed() });
      }),
    );
    if (outcomes.size < files.length) {
      const depth = await depthOf();
      if (depth > seenDepth) await lookIntoDlq();
      seenDepth = depth;
    }
    // What it waits for: the file, or the first of those still being processed and how many more.
    const waitingFor = files.filter((f) => !outcomes.has(f)).map((f) => f.key);
    const which = waitingFor.length ? `: ${waitingFor[0]}${waitingFor.length > 1 ? ` and ${waitingFor.length - 1} more` : ''}` : '';
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: `Waiting for the pipeline${which} (${Math.round(elapsed() / 1000)} s)`, done: outcomes.size, total: files.length });
    if (outcomes.size === files.length) break;
    if (elapsed() >= options.timeoutMs) {
      // Before calling them timed out: a message that arrived while another left keeps the depth level.
      if (seenDepth > 0) await lookIntoDlq();
      break;
    }
    await sleep(Math.min(intervalMs, options.timeoutMs - elapsed()), signal);
  }
  if (signal?.aborted) return files.flatMap((f) => outcomes.get(f) ?? []);
  return files.map((f) => outcomes.get(f) ?? { key: f.key, ...version(f), outcome: 'TIMED_OUT', waitedMs: elapsed() });
}

/** A big file being processed by its state machine: how far it has got (a failed look is not fatal). */
async function reportBigFile(run: FileRun, clients: Clients, reporter: Reporter): Promise<void> {
  if (!run.executionArn) return;
  const { bigFileProgress, describeProgress } = await import('../shared/big-file-progress.js');
  const progress = await bigFileProgress(await clients.sfn(), run.executionArn).catch(() => undefined);
  if (!progress) return;
  reporter.emit({
    type: 'progress',
    code: 'TAP_WAIT_BIG_FILE',
    message: `${run.key}: ${describeProgress(progress)}`,
    done: progress.recordsWritten ?? 0,
    total: progress.recordsTotal ?? 0,
  });
}

const version = (file: Followed) => (file.versionId ? { versionId: file.versionId } : {});

/** Whether an outcome counts as a failure for the exit code. */
export const failed = (o: Outcome) => o.outcome !== 'SUCCESS';
