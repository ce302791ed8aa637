/**
 * The dispatch loop of one map run: children pulled from the batcher one at a time, at most
 * MaxConcurrency in flight (the reader waits for a free slot, so reading keeps pace with running),
 * each outcome appended to the progress log and counted. Children the log has as done are skipped
 * (a resumed run). A failure beyond the tolerated threshold, StopExecution or a shutdown of the
 * local AWS stops the dispatch and aborts the children in flight.
 */
import type { Json } from '../definition.js';
import type { Child } from './batcher.js';
import type { Outcome } from './child.js';
import type { Appender, Counts, MapRunRecord } from './store.js';

/** MaxConcurrency 0 means "as many as possible" (AWS: up to 10,000); tap local's ceiling. */
export const LOCAL_MAX_CONCURRENCY = 1000;

export type StopReason = 'threshold' | 'stop' | 'shutdown';

export interface DispatchOptions {
  readonly record: MapRunRecord;
  readonly done: (index: number) => boolean;
  readonly log: Appender;
  readonly withInput: boolean;
  readonly signal: AbortSignal;
  readonly runChild: (child: Child, name: string, signal: AbortSignal) => Promise<Outcome>;
  readonly newName: () => string;
  readonly changed: () => void;
  /** Gets the function that re-checks the concurrency limit (UpdateMapRun raised it). */
  readonly onWake: (wake: () => void) => void;
}

const move = (counts: Counts, from: keyof Counts, to: keyof Counts, n: number) => {
  counts[from] -= n;
  counts[to] += n;
};

/** Whether failed items exceed the tolerance (neither set: any failure does; both: either). */
export function overThreshold(r: MapRunRecord, percentSet: boolean, countSet: boolean): boolean {
  const failed = r.itemCounts.failed + r.itemCounts.timedOut;
  if (!percentSet && !countSet) return failed > 0;
  const byCount = countSet && failed > r.toleratedFailureCount;
  const byPercent = percentSet && r.itemCounts.total > 0 && (failed / r.itemCounts.total) * 100 > r.toleratedFailurePercentage;
  return byCount || byPercent;
}

export async function dispatch(children: AsyncIterable<Child>, o: DispatchOptions, tolerance: { percentSet: boolean; countSet: boolean }): Promise<StopReason | undefined> {
  const r = o.record;
  const controller = new AbortController();
  let reason: StopReason | undefined;
  let inFlight = 0;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  const onAbort = () => {
    reason ??= o.signal.reason === 'shutdown' ? 'shutdown' : 'stop';
    controller.abort();
    wake();
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();
  o.onWake(wake);
  const limit = () => (r.maxConcurrency === 0 ? LOCAL_MAX_CONCURRENCY : Math.min(r.maxConcurrency, LOCAL_MAX_CONCURRENCY));
  const running = new Set<Promise<void>>();

  const launch = (child: Child) => {
    const name = o.newName();
    const start = Date.now();
    inFlight++;
    move(r.itemCounts, 'pending', 'running', child.items);
    move(r.executionCounts, 'pending', 'running', 1);
    o.changed();
    const work = o.runChild(child, name, controller.signal).catch((e): Outcome => ({ status: 'FAILED', error: 'States.Runtime', cause: `tap local: ${(e as Error).message}` })).then((outcome) => {
      inFlight--;
      if (outcome.status === 'ABORTED') {
        move(r.itemCounts, 'running', 'aborted', child.items);
        move(r.executionCounts, 'running', 'aborted', 1);
      } else {
        const ok = outcome.status === 'SUCCEEDED';
        o.log.write({ i: child.index, n: child.items, s: outcome.status, name, start, stop: Date.now(), ...(o.withInput ? { input: child.input } : {}), ...(ok ? { output: outcome.output as Json } : { error: outcome.error, cause: outcome.cause }) });
        move(r.itemCounts, 'running', ok ? 'succeeded' : 'failed', child.items);
        move(r.executionCounts, 'running', ok ? 'succeeded' : 'failed', 1);
        if (!ok && !reason && overThreshold(r, tolerance.percentSet, tolerance.countSet)) {
          reason = 'threshold';
          controller.abort();
        }
      }
      o.changed();
      wake();
    });
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  try {
    for await (const child of children) {
      if (reason) break;
      if (o.done(child.index)) continue;
      while (!reason && inFlight >= limit()) await new Promise<void>((resolve) => (waiter = resolve));
      await o.log.ready();
      if (reason) break;
      launch(child);
    }
  } catch (error) {
    // A reader failure ends the dispatch too: children in flight are stopped, not left running.
    controller.abort();
    await Promise.all(running);
    throw error;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
  await Promise.all(running);
  return reason;
}
