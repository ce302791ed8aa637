/**
 * State machines, executions and execution histories on disk: one JSON record each (RecordStore:
 * atomic writes), filed under a hash of the ARN (names may be 80 characters of almost anything).
 */
import { createHash } from 'node:crypto';
import { RecordStore } from '../records.js';
import type { Json } from './definition.js';

export interface MachineRecord {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  status: 'ACTIVE';
  creationDate: number;
  updateDate?: number;
  revisionId: string;
  loggingConfiguration: Record<string, Json>;
  tracingConfiguration: Record<string, Json>;
  tags: Array<{ key: string; value: string }>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Where a running execution is, so that a restarted local AWS can carry on from there. */
export interface Checkpoint {
  /** The top-level state that was entered last, and its raw input. */
  state: string;
  input: Json;
  enteredAt: number;
  /** For a Wait: when it ends (epoch ms). */
  waitUntil?: number;
  /** Retries used so far, per retrier of the state. */
  retries: number[];
  /** A retry back-off in progress: when the next attempt is due (epoch ms). */
  retryAt?: number;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The definition as it was when the execution started (updates do not change running executions). */
  definition: string;
  roleArn: string;
  checkpoint?: Checkpoint;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

const id = (arn: string) => createHash('sha256').update(arn).digest('hex');

export class SfnStore {
  readonly machines: Keyed<MachineRecord>;
  readonly executions: Keyed<ExecutionRecord>;
  readonly histories: Keyed<{ events: HistoryEvent[] }>;

  constructor(readonly root: string) {
    this.machines = new Keyed(new RecordStore(`${root}/machines`));
    this.executions = new Keyed(new RecordStore(`${root}/executions`));
    this.histories = new Keyed(new RecordStore(`${root}/histories`));
  }
}

class Keyed<T> {
  constructor(readonly store: RecordStore<T>) {}
  get = (arn: string) => this.store.get(id(arn));
  put = (arn: string, value: T) => this.store.put(id(arn), value);
  delete = (arn: string) => this.store.delete(id(arn));
  list = () => this.store.list();
}
