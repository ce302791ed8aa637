/**
 * Distributed Map runs ("map runs"). The interpreter sees a distributed Map as a Task (definition.ts
 * forInterpreter) whose handler is `MapRuns.run`: it reads and batches the items, runs the children
 * (dispatch.ts, child.ts), keeps the run's record and progress log (store.ts), writes the results
 * (results.ts) and returns the Map's result; InputPath, ResultSelector, ResultPath, OutputPath,
 * Retry and Catch stay the interpreter's. A run a restart interrupted is carried on: the same
 * record, the same items (the object version read first), only the children not done yet.
 */
import { randomUUID } from 'node:crypto';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalContext } from '../../../service.js';
import type { S3Api } from '../../contracts.js';
import type { Json } from '../definition.js';
import { TaskError, type TaskRunner } from '../tasks.js';
import { children, type BatchSpec } from './batcher.js';
import { Processor } from './child.js';
import { dispatch, type StopReason } from './dispatch.js';
import { MAX_BATCH_BYTES, numberField } from './fields.js';
import { readItems } from './reader.js';
import { arrayItems, Bitset, pin, readerSpec } from './source.js';
import { childArns, inlineResults, writeResults } from './results.js';
import { MapRunStore, zeroCounts, type MapRunRecord } from './store.js';
import { query, Template, type Context } from './template.js';

/** The execution a Map state runs in, as a map run needs it. */
export interface Parent {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly roleArn: string;
  readonly context: Context;
  /** Adds a history event to the execution. */
  event(type: string, details?: Record<string, unknown>): void;
  /** Aborted with reason 'stop' (StopExecution) or 'shutdown' (the local AWS stops; the run stays RUNNING). */
  readonly signal: AbortSignal;
  /** Set when the state is resumed after a restart: runs it started since then are its own. */
  readonly resumedSince?: number;
}

interface Live {
  record: MapRunRecord;
  wake: () => void;
  dirty: boolean;
}

const INT = { min: 0, max: 2 ** 31 - 1, integer: true };

export class MapRuns {
  readonly store: MapRunStore;
  private readonly live = new Map<string, Live>();
  private timer?: NodeJS.Timeout;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: LocalContext,
    root: string,
    private readonly tasks: TaskRunner,
  ) {
    this.store = new MapRunStore(root);
  }

  start(): void {
    // Counts change with every child: the record is written at most once a second while running.
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.flush().catch(() => undefined), 1000);
    this.timer.unref();
  }

  /** The record as it is now (live counts for a running one). */
  async get(arn: string): Promise<MapRunRecord | undefined> {
    return this.live.get(arn)?.record ?? (await this.store.get(arn));
  }

  async list(executionArn: string): Promise<MapRunRecord[]> {
    const stored = (await this.store.list()).filter((r) => r.executionArn === executionArn);
    return stored.map((r) => this.live.get(r.mapRunArn)?.record ?? r).sort((a, b) => a.startDate - b.startDate);
  }

  /** UpdateMapRun: the new limits apply to the children started from now on. */
  update(arn: string, changes: Partial<Pick<MapRunRecord, 'maxConcurrency' | 'toleratedFailurePercentage' | 'toleratedFailureCount'>>): boolean {
    const live = this.live.get(arn);
    if (!live) return false;
    Object.assign(live.record, changes);
    live.dirty = true;
    live.wake();
    return true;
  }

  /**
   * A resumed execution: its RUNNING map runs other than the resumed state's are over (a Map nested
   * in a Parallel or an inline Map runs again from its input, with a new map run).
   */
  async abandon(executionArn: string, keep: string | undefined): Promise<void> {
    for (const r of await this.store.list()) {
      if (r.executionArn !== executionArn || r.status !== 'RUNNING' || r.stateName === keep || this.live.has(r.mapRunArn)) continue;
      this.end(r, 'ABORTED');
      await this.save(r);
    }
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Record writes in order: a periodic write of live counts must not land after the final one. */
  private save(r: MapRunRecord): Promise<void> {
    const write = this.writes.then(() => this.store.put(r));
    this.writes = write.catch(() => undefined);
    return write;
  }

  private async flush(): Promise<void> {
    for (const live of this.live.values()) {
      if (!live.dirty) continue;
      live.dirty = false;
      await this.save(live.record);
    }
  }

  /** The Map state: runs (or carries on) its map run and returns its result. */
  async run(parent: Parent, stateName: string, state: Record<string, any>, input: Json): Promise<Json> {
    const q = (path: string, json: Json) => query(path, json);
    const context: Context = { ...parent.context, State: { Name: stateName, EnteredTime: new Date().toISOString() } };
    const s3 = this.ctx.service<S3Api>('s3');
    const reader = state.ItemReader;
    const spec = reader ? await readerSpec(reader, input, context) : undefined;
    const batcher = state.ItemBatcher;
    const batch: BatchSpec | undefined = batcher && {
      maxItems: numberField(batcher, 'MaxItemsPerBatch', input, q, { min: 1, max: INT.max, integer: true }),
      maxBytes: numberField(batcher, 'MaxInputBytesPerBatch', input, q, { min: 1, max: MAX_BATCH_BYTES, integer: true }),
      ...(batcher.BatchInput !== undefined ? { batchInput: await new Template(batcher.BatchInput).apply(input, context) } : {}),
    };
    const percent = numberField(state, 'ToleratedFailurePercentage', input, q, { min: 0, max: 100, integer: false });
    const count = numberField(state, 'ToleratedFailureCount', input, q, INT);
    const writer = state.ResultWriter && ((await new Template(state.ResultWriter.Parameters ?? {}).apply(input, context)) as Record<string, any>);

    let record = await this.resumable(parent, stateName);
    if (record?.status === 'SUCCEEDED' && record.result !== undefined) return record.result;
    if (record?.status !== 'RUNNING') record = undefined;
    const resumed = record !== undefined;
    if (!record) {
      const machine = parent.stateMachineArn.split(':').pop();
      record = {
        mapRunArn: `${parent.stateMachineArn.replace(':stateMachine:', ':mapRun:').replace(/:[^:]*$/, '')}:${machine}/${state.Label ?? stateName}:${randomUUID()}`,
        executionArn: parent.executionArn,
        stateMachineArn: '',
        stateName,
        status: 'RUNNING',
        startDate: Date.now() / 1000,
        maxConcurrency: numberField(state, 'MaxConcurrency', input, q, INT) ?? 0,
        toleratedFailurePercentage: percent ?? 0,
        toleratedFailureCount: count ?? 0,
        itemCounts: zeroCounts(),
        executionCounts: zeroCounts(),
      };
      record.stateMachineArn = childArns(record.mapRunArn, 'x').stateMachineArn;
      await this.store.removeLog(record.mapRunArn);
      await this.save(record); // on disk before any child runs: a crash finds it to carry on
      parent.event('MapRunStarted', { mapRunArn: record.mapRunArn });
    }
    const live: Live = { record, wake: () => undefined, dirty: true };
    this.live.set(record.mapRunArn, live);
    const r = record;
    try {
      if (spec) spec.source = pin(s3, spec, r);
      const items = () => (spec ? readItems(s3, spec) : arrayItems(q(state.ItemsPath ?? '$', input)));
      const selector = new Template(state.ItemSelector ?? state.Parameters);
      // A first pass counts the items and children (and finds a malformed line before any child runs).
      let total = 0;
      let childCount = 0;
      for await (const child of children(items(), batch?.maxBytes ? selector : new Template(undefined), input, context, batch)) {
        if (parent.signal.aborted) break; // stopping: dispatch ends it at once
        total += child.items;
        childCount++;
        // DescribeMapRun shows the total growing while a large object is counted.
        if (!resumed) {
          Object.assign(r.itemCounts, { total, pending: total });
          Object.assign(r.executionCounts, { total: childCount, pending: childCount });
        }
      }
      const done = new Bitset();
      Object.assign(r.itemCounts, { ...zeroCounts(), total });
      Object.assign(r.executionCounts, { ...zeroCounts(), total: childCount });
      if (resumed) {
        for await (const line of this.store.lines(r.mapRunArn)) {
          done.set(line.i);
          const ok = line.s === 'SUCCEEDED';
          r.itemCounts[ok ? 'succeeded' : 'failed'] += line.n;
          r.executionCounts[ok ? 'succeeded' : 'failed'] += 1;
        }
      }
      r.itemCounts.pending = total - r.itemCounts.succeeded - r.itemCounts.failed;
      r.executionCounts.pending = childCount - r.executionCounts.succeeded - r.executionCounts.failed;
      const processor = new Processor(state.ItemProcessor as StateMachineDefinition, this.tasks, parent.executionArn.split(':')[3]!);
      const log = await this.store.appender(r.mapRunArn);
      let reason: StopReason | undefined;
      try {
        reason = await dispatch(
          children(items(), selector, input, context, batch),
          {
            record: r,
            done: (i) => done.has(i),
            log,
            withInput: writer !== undefined,
            signal: parent.signal,
            newName: randomUUID,
            changed: () => (live.dirty = true),
            onWake: (wake) => (live.wake = wake),
            runChild: (child, name, signal) => {
              const arns = childArns(r.mapRunArn, name);
              return processor.run(child.input, { ...arns, name, roleArn: parent.roleArn, stateMachineName: arns.stateMachineArn.split(':').pop()!, startTime: new Date().toISOString() }, signal);
            },
          },
          { percentSet: percent !== undefined, countSet: count !== undefined },
        );
      } finally {
        await log.close();
      }
      if (reason === 'shutdown') throw new TaskError('States.Runtime', 'The local AWS stopped; the map run carries on when it starts again.');
      if (reason === 'stop') {
        this.end(r, 'ABORTED');
        parent.event('MapRunAborted');
        throw new TaskError('States.Runtime', 'The execution was stopped.');
      }
      const written = writer ? await writeResults(s3, this.store, r.mapRunArn, String(writer.Bucket), writer.Prefix === undefined ? undefined : String(writer.Prefix)) : undefined;
      if (written) {
        r.itemCounts.resultsWritten = written.items;
        r.executionCounts.resultsWritten = written.executions;
      }
      if (reason === 'threshold') throw new TaskError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
      const result = written?.output ?? (await inlineResults(this.store, r.mapRunArn, stateName)).output;
      this.end(r, 'SUCCEEDED');
      r.result = result;
      parent.event('MapRunSucceeded');
      return result;
    } catch (error) {
      if (parent.signal.reason === 'shutdown') throw error;
      if (r.status === 'RUNNING') {
        const e = error instanceof TaskError ? error : new TaskError('States.Runtime', (error as Error).message);
        this.end(r, 'FAILED', e.name, e.message);
        parent.event('MapRunFailed', { error: e.name, cause: e.message });
        throw e;
      }
      throw error;
    } finally {
      this.live.delete(r.mapRunArn);
      await this.save(r);
    }
  }

  private end(r: MapRunRecord, status: MapRunRecord['status'], error?: string, cause?: string): void {
    Object.assign(r, { status, stopDate: Date.now() / 1000 }, error !== undefined ? { error, cause } : {});
    // Children that did not run are aborted with the run (AWS counts them so).
    for (const counts of [r.itemCounts, r.executionCounts]) {
      counts.aborted += counts.pending + counts.running;
      counts.pending = 0;
      counts.running = 0;
    }
  }

  /** The latest run of this state since it was entered (only for a state resumed after a restart). */
  private async resumable(parent: Parent, stateName: string): Promise<MapRunRecord | undefined> {
    if (parent.resumedSince === undefined) return undefined;
    const runs = (await this.store.list()).filter((r) => r.executionArn === parent.executionArn && r.stateName === stateName && r.startDate * 1000 >= parent.resumedSince! - 1);
    return runs.sort((a, b) => b.startDate - a.startDate)[0];
  }
}
