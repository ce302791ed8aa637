/**
 * `tap logs`: the processors' log groups through FilterLogEvents, page by page, and with `follow` polled
 * until the signal fires. Lines are handed to `onLine` as they arrive (the CLI prints them), so a long
 * window never piles up in memory. Both pipelines' processors (lanes.ts) are read, their lines merged in
 * time order and tagged with their pipeline; `--file` reads only the group of the key's pipeline.
 *
 * Following re-reads a short overlap before the newest line seen, because CloudWatch Logs can make a
 * line searchable a few seconds after later ones; event ids already shown are skipped.
 *
 * `--file KEY` also shows the lines of the invocations whose lines mention the key: Lambda's
 * `platform.*` records and `Task timed out` lines name only the request id, and they are the ones
 * that say an invocation about the file timed out or crashed. So the key's lines are read first,
 * then the lines of their request ids (remembered while following: a time-out comes minutes later).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sleep } from './abort.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import { type LineFilter, type LogLine, filterPattern, matches, parseLogLine } from './log-lines.js';
import { type Lane, type PipelineName, laneOf, lanes } from './lanes.js';
import type { Pipeline } from './pipeline.js';
import type { Reporter } from './reporter.js';

/** A line, and the pipeline whose processor wrote it. */
export type PipelineLogLine = LogLine & { readonly pipeline: PipelineName };

export interface LogsOptions extends LineFilter {
  /** Lines from this long ago. */
  readonly sinceMs: number;
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  onLine(line: PipelineLogLine): void;
  readonly now?: () => number;
  /** Polling interval while following: starts at `min`, doubles while idle up to `max`. */
  readonly pollMs?: { readonly min: number; readonly max: number };
}

export interface LogsResult {
  /** The groups read: both processors', or the one of `--file`'s pipeline. */
  readonly logGroups: string[];
  readonly lines: number;
  readonly filterPattern?: string;
}

const OVERLAP_MS = 10_000;
/** Lambda's longest time-out (15 minutes), and some: how long a request id is worth following. */
const MAX_INVOCATION_MS = 16 * 60_000;
/** Request ids per `?"id"` pattern. */
const IDS_PER_PATTERN = 20;

export async function logs(clients: Clients, pipeline: Pipeline, options: LogsOptions, reporter: Reporter): Promise<LogsResult> {
  const now = options.now ?? Date.now;
  const { min, max } = options.pollMs ?? { min: 1000, max: 10_000 };
  const client = await clients.logs();
  const start = now() - options.sinceMs;
  const groups = (options.key ? [laneOf(pipeline, options.key)] : lanes(pipeline)).flatMap((lane) => [
    new Group(client, lane, options, start),
    // A big file's Prepare, Batch and Finish lines: their groups exist only once a big file ran.
    ...(lane.pipeline === 'files' ? (pipeline.bigFileLogGroups ?? []).map((logGroup) => new Group(client, { ...lane, logGroup }, options, start, true)) : []),
  ]);
  let lines = 0;
  let delay = min;
  const names = groups.map((g) => g.lane.logGroup);
  await explained(clients.target, `reading ${names.join(' and ')}`, async () => {
    for (;;) {
      let fresh = 0;
      for await (const line of mergeByTime(groups.map((g) => g.pass()))) {
        lines++;
        options.onLine(line);
      }
      for (const g of groups) fresh += g.fresh;
      // A group that does not exist is a processor that has not run yet: an error only when none has.
      const required = groups.filter((g) => !g.optional);
      const missing = required.filter((g) => g.missing);
      if (missing.length === required.length || (options.follow && missing.length)) {
        const many = missing.length > 1;
        const text = `The log group${many ? 's' : ''} ${missing.map((g) => g.lane.logGroup).join(' and ')} ${many ? 'do' : 'does'} not exist yet: the processor${many ? 's have' : ' has'} not run (or the stack is still being created).`;
        if (!options.follow) throw new UserError(text, 1);
        for (const g of missing.filter((g) => !g.warned)) {
          g.warned = true;
          reporter.emit({ type: 'warn', code: 'TAP_LOGS_GROUP_MISSING', message: `The log group ${g.lane.logGroup} does not exist yet: the ${g.lane.pipeline} processor has not run. Waiting for it…` });
        }
      }
      if (!options.follow || options.signal?.aborted) break;
      for (const g of groups) g.forget();
      delay = fresh ? min : Math.min(max, delay * 2);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) break;
    }
  });
  const pattern = filterPattern(options);
  return { logGroups: names, lines, ...(pattern && { filterPattern: pattern }) };
}

/** One processor's log group, and what following it remembers between passes. */
class Group {
  readonly seen = new Map<string, number>();
  /** Request ids of lines about `options.key`, with when they were last seen. */
  readonly requests = new Map<string, number>();
  shown = 0;
  fresh = 0;
  missing = false;
  warned = false;

  constructor(
    private readonly client: CloudWatchLogsClient,
    readonly lane: Lane,
    private readonly options: LogsOptions,
    private cursor: number,
    /** A group that may not exist yet without anything being wrong (the big-file functions'). */
    readonly optional = false,
  ) {}

  /** The wanted lines not seen before, in time order; `missing` says whether the group exists. */
  async *pass(): AsyncGenerator<PipelineLogLine> {
    const { options, lane } = this;
    const start = Math.max(0, this.cursor - (this.shown ? OVERLAP_MS : 0));
    this.fresh = 0;
    const source = options.key ? keyPages(this.client, lane.logGroup, start, options.key, this.requests, options.signal) : pages(this.client, lane.logGroup, start, filterPattern(options), options.signal);
    try {
      for await (const page of source) {
        for (const line of page) {
          if (this.seen.has(line.eventId)) continue;
          this.seen.set(line.eventId, line.timestamp);
          this.cursor = Math.max(this.cursor, line.timestamp);
          this.fresh++;
          if (this.wanted(line)) {
            this.shown++;
            yield { ...line, pipeline: lane.pipeline };
          }
        }
      }
      this.missing = false;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      this.missing = true;
    }
  }

  private wanted(line: LogLine): boolean {
    const { options } = this;
    return matches(line, options) || (line.requestId !== undefined && this.requests.has(line.requestId) && matches(line, { ...options, key: undefined }));
  }

  /** Drops what can no longer come back within the overlap, or belong to a running invocation. */
  forget(): void {
    for (const [id, ts] of this.seen) if (ts < this.cursor - OVERLAP_MS) this.seen.delete(id);
    for (const [id, ts] of this.requests) if (ts < this.cursor - MAX_INVOCATION_MS) this.requests.delete(id);
  }
}

/** Lines of several time-ordered sources as one time-ordered sequence, read as it is consumed. */
async function* mergeByTime<T extends { timestamp: number }>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const heads = await Promise.all(sources.map((s) => s.next()));
  for (;;) {
    let next = -1;
    heads.forEach((h, i) => {
      if (!h.done && (next < 0 || h.value.timestamp < (heads[next]!.value as T).timestamp)) next = i;
    });
    if (next < 0) return;
    yield heads[next]!.value as T;
    heads[next] = await sources[next]!.next();
  }
}

async function* pages(client: CloudWatchLogsClient, logGroupName: string, startTime: number, filterPattern: string | undefined, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
  const { paginateFilterLogEvents } = await import('@aws-sdk/client-cloudwatch-logs');
  if (signal?.aborted) return;
  for await (const page of paginateFilterLogEvents({ client }, { logGroupName, startTime, ...(filterPattern && { filterPattern }) })) {
    yield (page.events ?? []).map(parseLogLine).sort((a, b) => a.timestamp - b.timestamp);
    if (signal?.aborted) return;
  }
}

/**
 * The lines that mention `key`, then the lines of their invocations (and of those remembered in
 * `requests`), as one page in time order; `requests` learns the new request ids.
 */
async function* keyPages(client: CloudWatchLogsClient, logGroupName: string, startTime: number, key: string, requests: Map<string, number>, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
  const byId = new Map<string, LogLine>();
  for await (const page of pages(client, logGroupName, startTime, filterPattern({ key }), signal)) {
    for (const line of page) {
      byId.set(line.eventId, line);
      if (line.requestId) requests.set(line.requestId, Math.max(requests.get(line.requestId) ?? 0, line.timestamp));
    }
  }
  const ids = [...requests.keys()];
  for (let i = 0; i < ids.length; i += IDS_PER_PATTERN) {
    const pattern = ids.slice(i, i + IDS_PER_PATTERN).map((id) => `?"${id.replace(/["\\]/g, '\\$&')}"`).join(' ');
    for await (const page of pages(client, logGroupName, startTime, pattern, signal)) {
      for (const line of page) {
        if (line.requestId && requests.has(line.requestId)) requests.set(line.requestId, Math.max(requests.get(line.requestId)!, line.timestamp));
        byId.set(line.eventId, line);
      }
    }
  }
  yield [...byId.values()].sort((a, b) => a.timestamp - b.timestamp);
}
