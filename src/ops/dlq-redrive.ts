/**
 * `tap dlq redrive`: dead-lettered messages back to the queue they came from. Each pipeline (lanes.ts)
 * has its own DLQ and source queue: everything moves each DLQ back to its own queue; `file` looks only
 * in the DLQ of the pipeline its key belongs to (pod/… → photos).
 *
 * - Everything: one SQS message move task (StartMessageMoveTask), followed with ListMessageMoveTasks
 *   and cancelled on interrupt. SQS does the moving, at `rate` messages per second if given.
 * - One file (`file`): dlq-redrive-file.ts.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { interrupted, sleep } from './abort.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import type { DeadLetter } from './dlq.js';
import { UserError } from './errors.js';
import { type Confirm, guardProtected } from './guard.js';
import { incomingKey } from './keys.js';
import { type Lane, type PipelineName, laneOf, lanes, onLane } from './lanes.js';
import { type FileRun, fileHistory } from './metadata.js';
import type { Pipeline } from './pipeline.js';
import { redriveFile } from './dlq-redrive-file.js';
import { type QueueMessage, peek, queueDepth } from './queue-messages.js';
import type { Reporter } from './reporter.js';
import { earlierOutcome, type Followed, type Outcome, waitForOutcomes } from './wait.js';

export interface RedriveOptions {
  /** Only the messages about this file (key with or without `incoming/`; `pod/…` for a photo). */
  readonly file?: string;
  readonly dryRun: boolean;
  /** Messages per second. */
  readonly rate?: number;
  /** Then follow the redriven files for at most this long. */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
  /** Redriving everything in a protected environment asks first, unless `yes`. Without `confirm`: refused. */
  readonly yes?: boolean;
  readonly confirm?: Confirm;
}

export interface Failure {
  readonly messageId: string;
  readonly stage: 'send' | 'delete';
  readonly reason: string;
}

export interface RedriveResult {
  readonly mode: 'all' | 'file';
  readonly key?: string;
  readonly dryRun: boolean;
  /** Messages that matched (for `all`: the DLQ's depth when we started). */
  readonly matched: number;
  readonly moved: number;
  /** Messages that could not be sent (they stay in the DLQ) or, once sent, not deleted (now duplicates). */
  readonly failures: readonly Failure[];
  /** What would move (dry run) or moved (up to 100 per DLQ shown). */
  readonly messages: DeadLetter[];
  /** The pipelines whose DLQ was looked at: both, or the one `key` belongs to. */
  readonly pipelines: PipelineName[];
  readonly outcomes?: Outcome[];
}

/** One DLQ's part of the result, before it is tagged with its pipeline. */
export type LaneResult = Pick<RedriveResult, 'matched' | 'moved' | 'failures'> & { messages: QueueMessage[] };

const FOLLOW_MAX = 1_000;

export async function redrive(clients: Clients, pipeline: Pipeline, options: RedriveOptions, reporter: Reporter): Promise<RedriveResult> {
  return explained(clients.target, 'redriving the dead-letter queues', async () => {
    const sqs = await clients.sqs();
    const following = options.waitMs !== undefined && !options.dryRun;
    // A redriven version may have been processed before (a slow attempt that recorded its outcome after
    // its message was dead-lettered, a duplicate message): remember its runs before anything moves. A
    // final outcome of that very version is the answer (the processor will skip the version); any other
    // earlier run is not, and the wait follows the new one. With --file the key is known now; for the
    // whole DLQ once its messages were looked at, still before the move task starts.
    const before = new Map<string, FileRun[]>();
    const remember = async (keys: readonly string[]) => {
      if (following) for (const [key, runs] of await runsOf(clients, pipeline, [...new Set(keys)])) before.set(key, runs);
    };
    let parts: { lane: Lane; result: LaneResult }[];
    if (options.file !== undefined) {
      const key = incomingKey(options.file);
      const lane = laneOf(pipeline, key);
      await remember([key]);
      parts = [{ lane, result: await redriveFile(sqs, onLane(pipeline, lane), key, options, reporter) }];
    } else {
      parts = await redriveAll(sqs, pipeline, options, reporter, (messages) => remember(messages.flatMap((m) => m.files.map((f) => f.key))));
    }
    const result = combine(parts, options);
    if (options.waitMs === undefined || options.dryRun || result.moved === 0) return result;
    // Each pipeline's files are followed against its own DLQ.
    const waitMs = options.waitMs;
    const outcomes = await Promise.all(parts.map(({ lane, result: part }) => follow(clients, onLane(pipeline, lane), followed(part.messages), before, { ...options, waitMs }, reporter)));
    if (options.signal?.aborted) throw interrupted(`stopped waiting; ${result.moved} message(s) were redriven. Follow them with: tap status`);
    return { ...result, outcomes: outcomes.flat() };
  });
}

function combine(parts: readonly { lane: Lane; result: LaneResult }[], options: RedriveOptions): RedriveResult {
  return {
    mode: options.file !== undefined ? 'file' : 'all',
    ...(options.file !== undefined && { key: incomingKey(options.file) }),
    dryRun: options.dryRun,
    matched: parts.reduce((n, p) => n + p.result.matched, 0),
    moved: parts.reduce((n, p) => n + p.result.moved, 0),
    failures: parts.flatMap((p) => p.result.failures),
    messages: parts.flatMap((p) => p.result.messages.map((m) => ({ ...m, pipeline: p.lane.pipeline }))),
    pipelines: parts.map((p) => p.lane.pipeline),
  };
}

/**
 * Outcomes of one pipeline's redriven files, in order. A version that already had an outcome is
 * skipped by the processor: that outcome is the answer, at once. The others are followed to their new
 * runs (not interrupted, waitForOutcomes answers every file it is given, in order).
 */
async function follow(
  clients: Clients,
  pipeline: Pipeline,
  files: readonly Followed[],
  before: ReadonlyMap<string, FileRun[]>,
  options: RedriveOptions & { waitMs: number },
  reporter: Reporter,
): Promise<Outcome[]> {
  const known = new Map<Followed, Outcome>();
  for (const f of files) {
    const run = earlierOutcome(before.get(f.key) ?? [], f);
    if (run) known.set(f, { key: f.key, ...(f.versionId && { versionId: f.versionId }), outcome: run.status as 'SUCCESS' | 'FAILED', run, waitedMs: 0, alreadyProcessed: true });
  }
  const pending = files.filter((f) => !known.has(f));
  if (!pending.length) return files.map((f) => known.get(f)!);
  const waited = await waitForOutcomes(
    clients,
    pipeline,
    pending.map((f) => ({ ...f, before: (before.get(f.key) ?? []).filter((r) => !f.versionId || r.versionId === f.versionId).flatMap((r) => r.processedAt ?? []) })),
    { timeoutMs: options.waitMs, ...(options.signal && { signal: options.signal }) },
    reporter,
  );
  return options.signal?.aborted ? waited : files.map((f) => known.get(f) ?? waited[pending.indexOf(f)]!);
}

/** Every run of these keys now, by key. */
async function runsOf(clients: Clients, pipeline: Pipeline, keys: readonly string[]): Promise<Map<string, FileRun[]>> {
  const docs = await clients.documents();
  return new Map(await Promise.all(keys.map(async (key) => [key, await fileHistory(docs, pipeline.metadataTable, key)] as const)));
}

/** The file versions the messages name, once each. */
function followed(messages: readonly QueueMessage[]): Followed[] {
  const seen = new Map<string, Followed>();
  const after = Date.now();
  for (const f of messages.flatMap((m) => m.files)) {
    seen.set(`${f.key}#${f.versionId ?? ''}`, {
      key: f.key,
      after,
      eventTime: f.eventTime,
      ...(f.versionId && { versionId: f.versionId }),
      ...(f.etag && { etag: f.etag }),
    });
  }
  return [...seen.values()];
}

/** Every DLQ back to its own queue: one confirmation (protected environments) for all of them. */
async function redriveAll(
  sqs: SQSClient,
  pipeline: Pipeline,
  options: RedriveOptions,
  reporter: Reporter,
  beforeMove: (messages: readonly QueueMessage[]) => Promise<void>,
): Promise<{ lane: Lane; result: LaneResult }[]> {
  const all = await Promise.all(lanes(pipeline).map(async (lane) => ({ lane, visible: (await queueDepth(sqs, lane.dlqUrl)).visible })));
  const full = all.filter((l) => l.visible > 0);
  const empty: LaneResult = { failures: [], matched: 0, moved: 0, messages: [] };
  if (!full.length) return all.map(({ lane }) => ({ lane, result: empty }));
  if (!options.dryRun) {
    const total = full.reduce((n, l) => n + l.visible, 0);
    const to = full.length > 1 ? 'the queues they came from' : full[0]!.lane.pipeline === 'files' ? 'the ingest queue' : 'the pod queue';
    await guardProtected({
      env: pipeline.env,
      guarded: pipeline.guarded,
      yes: options.yes ?? false,
      doing: `this moves all ${total} dead-lettered message(s) back to ${to}`,
      confirm: options.confirm ?? (async () => false),
    });
  }
  const parts = [];
  for (const { lane, visible } of full) parts.push({ lane, result: await moveAll(sqs, onLane(pipeline, lane), visible, options, reporter, beforeMove) });
  return parts;
}

/** One DLQ back to its source queue with a message move task. */
async function moveAll(
  sqs: SQSClient,
  pipeline: Pipeline,
  visible: number,
  options: RedriveOptions,
  reporter: Reporter,
  beforeMove: (messages: readonly QueueMessage[]) => Promise<void>,
): Promise<LaneResult> {
  const { CancelMessageMoveTaskCommand, ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } = await import('@aws-sdk/client-sqs');
  const base = { failures: [] };
  const dlqName = pipeline.dlqUrl.slice(pipeline.dlqUrl.lastIndexOf('/') + 1);
  // To say what moves (and to follow it afterwards) we look at the messages first; the task moves them all.
  const look = options.dryRun ? 100 : options.waitMs !== undefined ? FOLLOW_MAX : 0;
  const messages = look ? await peek(sqs, pipeline.dlqUrl, look, visible) : [];
  if (options.waitMs !== undefined && visible > FOLLOW_MAX) reporter.emit({ type: 'warn', code: 'TAP_DLQ_FOLLOW_LIMIT', message: `Following only the first ${FOLLOW_MAX} of ${visible} messages.` });
  if (options.dryRun) return { ...base, matched: visible, moved: 0, messages };
  await beforeMove(messages);

  const running = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: pipeline.dlqArn, MaxResults: 1 }))).Results?.[0];
  if (running?.Status === 'RUNNING') {
    throw new UserError(`A redrive of ${dlqName} is already running (${running.ApproximateNumberOfMessagesMoved ?? 0} of ${running.ApproximateNumberOfMessagesToMove ?? '?'} moved). Wait for it, or check with tap dlq list.`, 1);
  }
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: pipeline.dlqArn, DestinationArn: pipeline.queueArn, ...(options.rate && { MaxNumberOfMessagesPerSecond: options.rate }) }),
  );
  let cancelled = false;
  for (;;) {
    if (options.signal?.aborted && !cancelled) {
      cancelled = true;
      await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })).catch(() => undefined); // it may have just finished
    }
    // The most recent task is ours: none was running when we started it. (Only a RUNNING task lists its handle.)
    const task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: pipeline.dlqArn, MaxResults: 1 }))).Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task?.ApproximateNumberOfMessagesToMove ?? visible;
    reporter.emit({ type: 'progress', code: 'TAP_DLQ_REDRIVE', message: `Redriving ${dlqName}`, done: moved, total: toMove });
    if (task && task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') {
      if (cancelled || task.Status === 'CANCELLED') throw interrupted(`the redrive was cancelled after moving ${moved} of ${toMove} message(s); the rest are still in the DLQ.`);
      if (task.Status === 'FAILED') throw new UserError(`The redrive failed after moving ${moved} of ${toMove} message(s): ${task.FailureReason ?? 'no reason given'}. The rest are still in the DLQ.`, 1);
      return { ...base, matched: toMove, moved, messages };
    }
    await sleep(options.pollMs ?? 1000, cancelled ? undefined : options.signal);
  }
}
