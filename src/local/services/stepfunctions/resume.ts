/**
 * Checkpoints and resumption. While an execution runs, the top-level state it entered last is
 * recorded with its input (and, for a Wait, when it ends; for a state in Retry back-off, the
 * retries used and when the next attempt is due). After a restart the execution carries on from
 * that state: a copy of it becomes the start state, a Wait ending at its original time, a retrying
 * state with the retries it has left and its back-off continuing where it was. States before it are
 * not run again; the state itself is (at least once: a Task that was in flight, or a Parallel or inline
 * Map that was part-way, runs again from its input; a distributed Map's map run carries on from its
 * progress log, map-run/store.ts).
 */
import type { JSONPath as JsonPathFn } from 'jsonpath-plus';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Json } from './definition.js';
import type { Checkpoint } from './store.js';

/** Names of the synthetic states of a resumed run (history shows the original name). */
export const RESUME_STATE = 'tap:resumed';
export const RESUME_WAIT = 'tap:resumed-backoff';
/** Hands the checkpointed input on: the run itself gets the execution's input, so `$$.Execution.Input` stays right. */
export const RESUME_INPUT = 'tap:resumed-input';

type State = Record<string, any>;

/** A new checkpoint for a top-level state just entered (a Wait's end computed as the interpreter will). */
export function enter(name: string, state: State, input: Json, jsonPath: typeof JsonPathFn): Checkpoint {
  const query = (path: string, json: Json): unknown => jsonPath({ path, json: json as object, wrap: false });
  const checkpoint: Checkpoint = { state: name, input, enteredAt: Date.now(), retries: (state.Retry ?? []).map(() => 0) };
  if (state.Type === 'Wait') {
    try {
      const effective = (state.InputPath === undefined ? input : state.InputPath === null ? {} : query(state.InputPath, input)) as Json;
      const seconds = state.Seconds ?? (state.SecondsPath ? Number(query(state.SecondsPath, effective)) : undefined);
      const timestamp = state.Timestamp ?? (state.TimestampPath ? String(query(state.TimestampPath, effective)) : undefined);
      const until = seconds !== undefined ? checkpoint.enteredAt + seconds * 1000 : timestamp ? Date.parse(timestamp) : NaN;
      if (Number.isFinite(until)) checkpoint.waitUntil = until;
    } catch {
      // a bad path fails the Wait in the interpreter; nothing to remember
    }
  }
  return checkpoint;
}

/**
 * After a failure of the checkpointed state: the retrier the interpreter will use (the first whose
 * ErrorEquals matches; none when it is spent), counted, with the back-off it waits (jitter aside).
 */
export function failed(checkpoint: Checkpoint, state: State, error: string): void {
  const retriers = (state.Retry ?? []) as State[];
  const i = retriers.findIndex((r) =>
    (r.ErrorEquals as string[]).some((e) => e === error || e === 'States.ALL' || (e === 'States.TaskFailed' && state.Type === 'Task' && error !== 'States.Timeout')),
  );
  if (i < 0) return;
  const r = retriers[i]!;
  const used = checkpoint.retries[i] ?? 0;
  if (used >= (r.MaxAttempts ?? 3)) return;
  const delay = Math.min((r.IntervalSeconds ?? 1) * Math.pow(r.BackoffRate ?? 2, used), r.MaxDelaySeconds ?? Infinity);
  checkpoint.retries[i] = used + 1;
  checkpoint.retryAt = Date.now() + delay * 1000;
}

/** The definition of a resumed run: the checkpointed state (adjusted) as the start state. */
export function resumedDefinition(definition: StateMachineDefinition, checkpoint: Checkpoint): StateMachineDefinition | undefined {
  const original = (definition.States as Record<string, State>)[checkpoint.state];
  if (!original) return undefined;
  const copy: State = structuredClone(original);
  if (copy.Type === 'Wait' && checkpoint.waitUntil !== undefined) {
    for (const k of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete copy[k];
    copy.Timestamp = new Date(checkpoint.waitUntil).toISOString();
  }
  if (Array.isArray(copy.Retry)) {
    copy.Retry = (copy.Retry as State[]).map((r, i) => {
      const used = checkpoint.retries[i] ?? 0;
      return { ...r, MaxAttempts: Math.max(0, (r.MaxAttempts ?? 3) - used), IntervalSeconds: (r.IntervalSeconds ?? 1) * Math.pow(r.BackoffRate ?? 2, used) };
    });
  }
  const states: Record<string, State> = { ...(definition.States as Record<string, State>), [RESUME_STATE]: copy };
  let startAt = RESUME_STATE;
  if (checkpoint.retryAt !== undefined && checkpoint.retryAt > Date.now()) {
    states[RESUME_WAIT] = { Type: 'Wait', Timestamp: new Date(checkpoint.retryAt).toISOString(), Next: RESUME_STATE };
    startAt = RESUME_WAIT;
  }
  states[RESUME_INPUT] = { Type: 'Pass', Result: checkpoint.input, Next: startAt };
  return { ...definition, States: states as StateMachineDefinition['States'], StartAt: RESUME_INPUT };
}
