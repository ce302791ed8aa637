/**
 * Map runs on disk: a record per run (its configuration, status and counts; rewritten atomically
 * now and then) and an append-only progress log per run, one JSON line per finished child
 * (`{"i":index,"n":items,"s":status,...}` with its output or error). After a restart the log says
 * which children are done, so only the others run again; a torn last line is ignored (that child
 * runs again: at least once). Per-child state lives only in the log, never in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordStore } from '../../records.js';
import type { Json } from '../definition.js';

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface Counts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

export const zeroCounts = (): Counts => ({ pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 });

export interface MapRunRecord {
  mapRunArn: string;
  executionArn: string;
  stateMachineArn: string;
  /** The Map state's name (a restarted execution finds its unfinished run by it). */
  stateName: string;
  status: MapRunStatus;
  startDate: number;
  stopDate?: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: Counts;
  executionCounts: Counts;
  error?: string;
  cause?: string;
  /** The Map's result once it succeeded (at most 256 KiB): a restart before the execution moved on returns it again. */
  result?: Json;
  /** The object version read first: a resumed run reads the same one. */
  source?: { bucket: string; key: string; versionId: string; etag: string };
}

/** One finished child, as the progress log keeps it. */
export interface ChildLine {
  i: number;
  n: number;
  s: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  name: string;
  start: number;
  stop: number;
  input?: Json;
  output?: Json;
  error?: string;
  cause?: string;
}

const id = (arn: string) => createHash('sha256').update(arn).digest('hex');

export class MapRunStore {
  readonly records: RecordStore<MapRunRecord>;

  constructor(private readonly root: string) {
    this.records = new RecordStore(join(root, 'records'), 'Step Functions map run');
  }

  get = (arn: string) => this.records.get(id(arn));
  put = (record: MapRunRecord) => this.records.put(id(record.mapRunArn), record);
  list = () => this.records.list();

  logPath(arn: string): string {
    return join(this.root, 'progress', `${id(arn)}.jsonl`);
  }

  /** A temp folder for result files on their way into S3. */
  async scratch(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async appender(arn: string): Promise<Appender> {
    await mkdir(join(this.root, 'progress'), { recursive: true });
    return new Appender(createWriteStream(this.logPath(arn), { flags: 'a' }));
  }

  /** The finished children of a run, in the order they finished. */
  async *lines(arn: string): AsyncGenerator<ChildLine> {
    let rest = '';
    const stream = createReadStream(this.logPath(arn), { encoding: 'utf8' });
    try {
      for await (const chunk of stream) {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const part of parts) if (part) yield JSON.parse(part) as ChildLine;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // `rest` is a line without its newline: torn by a crash, so its child runs again.
  }

  async removeLog(arn: string): Promise<void> {
    await rm(this.logPath(arn), { force: true });
  }
}

export class Appender {
  constructor(private readonly stream: WriteStream) {}
  write(line: ChildLine): void {
    this.stream.write(`${JSON.stringify(line)}\n`);
  }
  /** Resolves once the disk has caught up: no new child starts while lines pile up in memory. */
  ready(): Promise<void> {
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.stream.once('drain', () => resolve()));
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
