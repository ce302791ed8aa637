/**
 * Runs executions with aws-local-stepfunctions, in the local AWS's process: every Task goes to
 * TaskRunner through the interpreter's `taskResourceLocalHandlers` hook (keyed by state name, which
 * ASL makes unique machine-wide, so nested Map and Parallel tasks are covered too); a distributed Map
 * is a Task to the interpreter whose handler runs its map run (map-run/run.ts). The interpreter's
 * event log becomes AWS's history; the execution, its history and a checkpoint are written as it
 * goes (resume.ts), so a restarted local AWS carries every unfinished execution on. Stopping the
 * local AWS leaves executions RUNNING on disk, to be resumed; StopExecution aborts them.
 */
import './polyfill.js';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { JSONPath as JSONPathFn } from 'jsonpath-plus';
import type { LocalContext } from '../../service.js';
import { allStates, forInterpreter, MAP_RUN_RESOURCE, MAX_PAYLOAD, MAX_TIMER_SECONDS, type Json } from './definition.js';
import { data, errorDetails, History } from './history.js';
import { isDistributed } from './map-run/fields.js';
import { enterMapRun, settle } from './map-run/parent.js';
import { MapRuns } from './map-run/run.js';
import type { Context } from './map-run/template.js';
import { enter, failed, RESUME_INPUT, RESUME_STATE, RESUME_WAIT, resumedDefinition } from './resume.js';
import type { ExecutionRecord, ExecutionStatus, HistoryEvent, SfnStore } from './store.js';
import { TaskError, taskTarget, TaskRunner } from './tasks.js';

export { MAX_PAYLOAD } from './definition.js';

interface Run {
  record: ExecutionRecord;
  history: History;
  /** The states as the definition has them (by original name). */
  states: Map<string, Record<string, any>>;
  topLevel: Set<string>;
  abort(): void;
  closed: boolean;
  /** Task attempts in flight per state: a timeout closes the oldest. */
  attempts: Map<string, Array<{ closed: boolean }>>;
  jsonPath: typeof JSONPathFn;
  saving?: Promise<void>;
  dirty: boolean;
  finished: Promise<void>;
  /** Aborted with 'stop' (StopExecution) or 'shutdown': map runs in the execution follow it. */
  controller: AbortController;
  /** StopExecution is winding the execution down: the interpreter's last events are not history. */
  stopRequested: boolean;
  /** The checkpoint a resumed run started from (its map run, if any, is carried on). */
  resumeFrom?: { state: string; enteredAt: number };
  context: Context;
  mapRuns: Set<Promise<unknown>>;
}

const original = (name: string) => (name === RESUME_STATE ? undefined : name);

export class Executions {
  private readonly runs = new Map<string, Run>();
  private readonly tasks: TaskRunner;
  readonly mapRuns: MapRuns;
  private stopping = false;

  constructor(
    ctx: LocalContext,
    private readonly store: SfnStore,
  ) {
    this.tasks = new TaskRunner(ctx);
    this.mapRuns = new MapRuns(ctx, `${store.root}/map-runs`, this.tasks);
  }

  /** Starts a new execution (its record is new, RUNNING). */
  async start(record: ExecutionRecord): Promise<void> {
    const history = new History();
    history.add('ExecutionStarted', { ...data(JSON.parse(record.input), 'input'), roleArn: record.roleArn });
    await this.store.executions.put(record.executionArn, record);
    await this.store.histories.put(record.executionArn, { events: history.events });
    await this.launch(record, history);
  }

  /** Carries on every execution a previous run of the local AWS left RUNNING. */
  async resumeAll(): Promise<void> {
    this.stopping = false;
    this.mapRuns.start();
    for (const record of await this.store.executions.list()) {
      if (record.status !== 'RUNNING' || this.runs.has(record.executionArn)) continue;
      const history = new History((await this.store.histories.get(record.executionArn))?.events ?? []);
      await this.launch(record, history);
    }
  }

  running(arn: string): ExecutionRecord | undefined {
    return this.runs.get(arn)?.record;
  }

  /** The history of a running execution as it is now (the file may be a write behind). */
  runningHistory(arn: string): HistoryEvent[] | undefined {
    return this.runs.get(arn)?.history.events;
  }

  /** StopExecution: aborts a running execution (ExecutionAborted with the given error and cause). */
  async stop(arn: string, error: string | undefined, cause: string | undefined): Promise<ExecutionRecord | undefined> {
    const run = this.runs.get(arn);
    if (!run) return undefined;
    // Its map runs end first (MapRunAborted precedes ExecutionAborted, as on AWS).
    run.stopRequested = true;
    run.controller.abort('stop');
    await settle(run.mapRuns);
    await this.finish(run, 'ABORTED', { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    run.abort();
    return run.record;
  }

  /** Stops running without finishing anything: what is RUNNING stays RUNNING on disk. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const runs = [...this.runs.values()];
    for (const run of runs) {
      run.closed = true;
      run.controller.abort('shutdown');
      run.abort();
    }
    await Promise.all(runs.map((r) => settle(r.mapRuns)));
    await Promise.all(runs.map((r) => r.saving));
    await this.mapRuns.shutdown();
    this.runs.clear();
    this.tasks.close();
  }

  private async launch(record: ExecutionRecord, history: History): Promise<void> {
    // Loaded on first use: the interpreter adds seconds to every start of the local AWS.
    const [{ StateMachine }, { JSONPath }] = await Promise.all([import('aws-local-stepfunctions'), import('jsonpath-plus')]);
    const definition = JSON.parse(record.definition) as StateMachineDefinition;
    const run: Run = {
      record,
      history,
      states: new Map(allStates(definition)),
      topLevel: new Set(Object.keys(definition.States)),
      abort: () => undefined,
      closed: false,
      attempts: new Map(),
      jsonPath: JSONPath,
      dirty: false,
      finished: Promise.resolve(),
      controller: new AbortController(),
      stopRequested: false,
      ...(record.checkpoint ? { resumeFrom: { state: record.checkpoint.state, enteredAt: record.checkpoint.enteredAt } } : {}),
      context: {},
      mapRuns: new Set(),
    };
    this.runs.set(record.executionArn, run);
    // Map runs a restart interrupted anywhere but in the state the execution resumes at are not carried on.
    if (run.resumeFrom) await this.mapRuns.abandon(record.executionArn, run.topLevel.has(run.resumeFrom.state) ? run.resumeFrom.state : undefined);
    let runnable = forInterpreter(definition);
    const input = JSON.parse(record.input) as Json;
    if (record.checkpoint) {
      const next = resumedDefinition(runnable, record.checkpoint);
      if (!next) return void this.finish(run, 'FAILED', { error: 'States.Runtime', cause: `tap local could not resume this execution after a restart: its state ${record.checkpoint.state} is not in the definition.` });
      runnable = next;
    }
    if (definition.TimeoutSeconds !== undefined) {
      const left = definition.TimeoutSeconds - (Date.now() / 1000 - record.startDate);
      if (left <= 0) return void this.finish(run, 'TIMED_OUT', { error: 'States.Timeout', cause: '' });
      runnable.TimeoutSeconds = Math.min(left, MAX_TIMER_SECONDS);
    }
    const handlers: Record<string, (input: any) => Promise<any>> = {};
    for (const [name, state] of allStates(runnable)) {
      if (state.Type !== 'Task') continue;
      const shown = original(name) ?? record.checkpoint!.state;
      if (state.Resource === MAP_RUN_RESOURCE) {
        handlers[name] = (mapInput) => this.mapRun(run, shown, mapInput);
        continue;
      }
      handlers[name] = (taskInput) => this.task(run, shown, state.Resource, taskInput, run.states.get(shown)?.TimeoutSeconds);
    }
    const machine = new StateMachine(runnable, { validationOptions: { noValidate: true } });
    const context = {
      Execution: { Id: record.executionArn, Name: record.name, RoleArn: record.roleArn, StartTime: new Date(record.startDate * 1000).toISOString() },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineArn.split(':').pop()! },
    };
    run.context = context;
    const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers }, context });
    run.abort = execution.abort;
    execution.result.catch(() => undefined); // the outcome is read from the event log, in order
    run.finished = (async () => {
      for await (const event of execution.eventLogs) {
        if (run.closed) break;
        await this.onEvent(run, event as unknown as Record<string, any>);
      }
    })().catch((error) => this.finish(run, 'FAILED', { error: 'States.Runtime', cause: `tap local: ${(error as Error).message}` }));
  }

  private async onEvent(run: Run, event: Record<string, any>): Promise<void> {
    const h = run.history;
    const name: string | undefined = event.state?.name;
    const shown = name === RESUME_STATE ? run.record.checkpoint!.state : name;
    if (name === RESUME_WAIT || name === RESUME_INPUT) return; // how a resumed run gets back to its state: internal
    if (run.stopRequested) return; // StopExecution ends it; what the interpreter does meanwhile is not history
    const distributed = shown !== undefined && isDistributed(run.states.get(shown));
    const type = distributed ? 'Map' : (event.state?.type as string | undefined);
    const top = shown !== undefined && run.topLevel.has(shown) && event.index === undefined;
    switch (event.type) {
      case 'ExecutionStarted':
        return; // written by start(); a resumed run is the same execution
      case 'StateEntered':
        h.add(`${type}StateEntered`, { name: shown, ...data(event.state.input, 'input') });
        if ((type === 'Map' && !distributed) || type === 'Parallel') h.add(`${type}StateStarted`, type === 'Map' && Array.isArray(event.state.input) ? { length: event.state.input.length } : undefined);
        if (top) run.record.checkpoint = enter(shown!, run.states.get(shown!)!, event.state.input, run.jsonPath);
        break;
      case 'StateExited':
        if (type === 'Map' || type === 'Parallel') h.add(`${type}StateSucceeded`);
        h.add(`${type}StateExited`, { name: shown, ...data(event.state.output, 'output') });
        break;
      case 'StateFailed':
        if (type === 'Map' || type === 'Parallel') h.add(`${type}StateFailed`);
        if (type === 'Task' && event.Error === 'States.Timeout') this.timedOut(run, shown!);
        if (top && run.record.checkpoint?.state === shown) failed(run.record.checkpoint!, run.states.get(shown!)!, String(event.Error));
        break;
      case 'StateRetried':
        if (top && run.record.checkpoint) delete run.record.checkpoint.retryAt;
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        h.add(event.type, { name: event.parentState.name, index: event.index });
        break;
      case 'ExecutionSucceeded': {
        const output = JSON.stringify(event.output ?? null);
        if (Buffer.byteLength(output) > MAX_PAYLOAD) {
          return this.finish(run, 'FAILED', { error: 'States.DataLimitExceeded', cause: `The state/task returned a result with a size exceeding the maximum number of bytes service limit (${MAX_PAYLOAD}).` });
        }
        return this.finish(run, 'SUCCEEDED', { output });
      }
      case 'ExecutionFailed':
        return this.finish(run, 'FAILED', errorDetails(event.Error, event.Cause));
      case 'ExecutionTimeout':
        return this.finish(run, 'TIMED_OUT', { error: 'States.Timeout', cause: '' });
      case 'ExecutionAborted':
        return; // StopExecution finished it already; a shutdown leaves it RUNNING
      default:
        return; // StateCaught, ParallelBranch*: AWS's history has no such events
    }
    this.save(run);
  }

  /** A distributed Map state: its map run (map-run/run.ts), events in this execution's history. */
  private mapRun(run: Run, state: string, input: Json): Promise<Json> {
    return enterMapRun(this.mapRuns, run, state, input, () => void this.save(run));
  }

  private timedOut(run: Run, state: string): void {
    const attempt = run.attempts.get(state)?.find((a) => !a.closed);
    if (!attempt) return;
    attempt.closed = true;
    const target = taskTarget(String(run.states.get(state)?.Resource ?? ''));
    if (target.kind === 'lambda-function') run.history.add('LambdaFunctionTimedOut', { error: 'States.Timeout', cause: '' });
    else run.history.add('TaskTimedOut', { resourceType: target.resourceType, resource: target.resource, error: 'States.Timeout', cause: '' });
  }

  /** One attempt of a Task: scheduled/started/succeeded-or-failed events around the integration call. */
  private async task(run: Run, state: string, resource: string, input: Json, timeout: number | undefined): Promise<Json> {
    // Let the consumer of the interpreter's event log catch up (TaskStateEntered goes first).
    await new Promise((r) => setImmediate(r));
    // A stopped execution starts no more work (a Map or Parallel may still be winding down).
    if (run.closed) throw new TaskError('States.Runtime', 'The execution has ended.');
    const attempt = { closed: false };
    const open = run.attempts.get(state) ?? [];
    run.attempts.set(state, [...open, attempt]);
    const target = taskTarget(resource);
    const h = run.history;
    const lambda = target.kind === 'lambda-function';
    if (lambda) {
      h.add('LambdaFunctionScheduled', { resource, ...data(input, 'input'), ...(timeout !== undefined ? { timeoutInSeconds: timeout } : {}) });
      h.add('LambdaFunctionStarted');
    } else {
      h.add('TaskScheduled', { resourceType: target.resourceType, resource: target.resource, region: run.record.executionArn.split(':')[3], parameters: JSON.stringify(input ?? null), ...(timeout !== undefined ? { timeoutInSeconds: timeout } : {}) });
      h.add('TaskStarted', { resourceType: target.resourceType, resource: target.resource });
    }
    this.save(run);
    const live = () => !attempt.closed && !run.closed;
    try {
      const output = await this.tasks.run(resource, input, run.record.executionArn.split(':')[3]!);
      if (Buffer.byteLength(JSON.stringify(output ?? null)) > MAX_PAYLOAD) {
        throw new TaskError('States.DataLimitExceeded', `The state/task '${state}' returned a result with a size exceeding the maximum number of bytes service limit.`);
      }
      if (live()) {
        if (lambda) h.add('LambdaFunctionSucceeded', data(output, 'output'));
        else h.add('TaskSucceeded', { resourceType: target.resourceType, resource: target.resource, ...data(output, 'output') });
      }
      return output;
    } catch (error) {
      const e = error instanceof TaskError ? error : new TaskError('States.TaskFailed', (error as Error)?.message ?? String(error));
      if (live()) {
        if (lambda) h.add('LambdaFunctionFailed', { error: e.name, cause: e.message });
        else h.add('TaskFailed', { resourceType: target.resourceType, resource: target.resource, error: e.name, cause: e.message });
      }
      throw e;
    } finally {
      attempt.closed = true;
      run.attempts.set(state, (run.attempts.get(state) ?? []).filter((a) => a !== attempt));
      this.save(run);
    }
  }

  private async finish(run: Run, status: Exclude<ExecutionStatus, 'RUNNING'>, details: { output?: string; error?: string; cause?: string }): Promise<void> {
    if (run.closed || this.stopping) return;
    run.closed = true;
    // A map run still going (the execution timed out, or failed elsewhere in a Parallel) ends with it.
    run.controller.abort('stop');
    const r = run.record;
    Object.assign(r, { status, stopDate: Date.now() / 1000 }, details);
    delete r.checkpoint;
    const event = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[status];
    const shown = status === 'SUCCEEDED' ? data(JSON.parse(details.output!), 'output') : { ...(details.error !== undefined ? { error: details.error } : {}), ...(details.cause !== undefined ? { cause: details.cause } : {}) };
    run.history.add(event, shown);
    this.runs.delete(r.executionArn);
    await this.save(run, true);
  }

  /** Writes the execution and its history, coalescing writes that pile up while one is in progress. */
  private save(run: Run, evenIfClosed = false): Promise<void> {
    if (run.closed && !evenIfClosed && this.stopping) return run.saving ?? Promise.resolve();
    if (run.saving) {
      run.dirty = true;
      return run.saving;
    }
    run.saving = (async () => {
      do {
        run.dirty = false;
        await this.store.executions.put(run.record.executionArn, run.record);
        await this.store.histories.put(run.record.executionArn, { events: run.history.events });
      } while (run.dirty);
    })().finally(() => (run.saving = undefined));
    return run.saving;
  }
}
