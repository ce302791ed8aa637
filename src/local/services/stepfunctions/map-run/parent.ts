/**
 * Between an execution and the map runs of its distributed Map states: what a map run needs of
 * the execution (its identity, context object, history, stop signal, and whether the state is
 * being resumed after a restart), and how a stop waits for map runs to wind down.
 */
import type { Json } from '../definition.js';
import type { History } from '../history.js';
import type { ExecutionRecord } from '../store.js';
import { TaskError } from '../tasks.js';
import type { MapRuns, Parent } from './run.js';
import type { Context } from './template.js';

/** The parts of a running execution (executions.ts) a map run reads. */
export interface ParentRun {
  readonly record: ExecutionRecord;
  readonly history: History;
  readonly states: Map<string, Record<string, any>>;
  readonly closed: boolean;
  readonly stopRequested: boolean;
  resumeFrom?: { state: string; enteredAt: number };
  readonly context: Context;
  readonly controller: AbortController;
  readonly mapRuns: Set<Promise<unknown>>;
}

export async function enterMapRun(runs: MapRuns, run: ParentRun, state: string, input: Json, saved: () => void): Promise<Json> {
  await new Promise((r) => setImmediate(r)); // MapStateEntered goes first
  if (run.closed || run.stopRequested) throw new TaskError('States.Runtime', 'The execution has ended.');
  // The first entry after a restart is the resumed one: its map run may be carried on.
  const since = run.resumeFrom?.state === state ? run.resumeFrom.enteredAt : undefined;
  delete run.resumeFrom;
  const parent: Parent = {
    executionArn: run.record.executionArn,
    stateMachineArn: run.record.stateMachineArn,
    roleArn: run.record.roleArn,
    context: run.context,
    signal: run.controller.signal,
    ...(since !== undefined ? { resumedSince: since } : {}),
    event: (type, details) => {
      if (run.closed) return;
      run.history.add(type, details);
      saved();
    },
  };
  const work = runs.run(parent, state, run.states.get(state)!, input);
  run.mapRuns.add(work);
  try {
    return await work;
  } finally {
    run.mapRuns.delete(work);
  }
}

/** Waits for map runs to wind down (bounded: a stuck child must not hold a stop up for long). */
export async function settle(work: Set<Promise<unknown>>): Promise<void> {
  if (work.size === 0) return;
  await Promise.race([Promise.allSettled([...work]), new Promise((r) => setTimeout(r, 10_000).unref())]);
}
