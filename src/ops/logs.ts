/**
 * `tap logs`: the processor's log group through FilterLogEvents, page by page, and with `follow` polled
 * until the signal fires. Lines are handed to `onLine` as they arrive (the CLI prints them), so a long
 * window never piles up in memory.
 *
 * Following re-reads a short overlap before the newest line seen, because CloudWatch Logs can make a
 * line searchable a few seconds after later ones; event ids already shown are skipped.
 *
 * `--file KEY` also shows the lines of the invocations whose lines mention the key: Lambda's
 * `platform.*` records and `Task timed out` lines name only the request id, and they are the ones
 * that say an invocation about the file timed out or crashed. So the key's lines are read first,
 * then the lines of their request ids (remembered while following: a time-out comes minutes later).
 * A big file is processed by other functions (Prepare, Batch, Finish), so `--file` reads their log
 * groups too, merged in time order.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sleep } from './abort.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import { type LineFilter, type LogLine, filterPattern, matches, parseLogLine } from './log-lines.js';
import type { Pipeline } from './pipeline.js';
import type { Reporter } from './reporter.js';

export interface LogsOptions extends LineFilter {
  /** Lines from this long ago. */
  readonly sinceMs: number;
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  onLine(line: LogLine): void;
  readonly now?: () => number;
  /** Polling interval while following: starts at `min`, doubles while idle up to `max`. */
  readonly pollMs?: { readonly min: number; readonly max: number };
}

export interface LogsResult {
  readonly logGroup: string;
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
  const pattern = filterPattern(options);
  const client = await clients.logs();
  const seen = new Map<string, number>();
  /** Request ids of lines about `options.key`, with when they were last seen. */
  const requests = new Map<string, number>();
  const groups = options.key ? [pipeline.logGroup, ...(pipeline.bigFileLogGroups ?? [])] : [pipeline.logGroup];
  const fetch = (startTime: number): AsyncIterable<LogLine[]> =>
    options.key ? keyPagesOf(client, groups, startTime, options.key, requests, options.signal) : pages(client, pipeline.logGroup, startTime, pattern, options.signal);
  const wanted = (line: LogLine) => matches(line, options) || (line.requestId !== undefined && requests.has(line.requestId) && matches(line, { ...options, key: undefined }));
  let cursor = now() - options.sinceMs;
  let lines = 0;
  let delay = min;
  let warned = false;
  await explained(clients.target, `reading ${pipeline.logGroup}`, async () => {
    for (;;) {
      let fresh = 0;
      try {
        for await (const page of fetch(Math.max(0, cursor - (lines ? OVERLAP_MS : 0)))) {
          for (const line of page) {
            if (seen.has(line.eventId)) continue;
            seen.set(line.eventId, line.timestamp);
            cursor = Math.max(cursor, line.timestamp);
            fresh++;
            if (wanted(line)) {
              lines++;
              options.onLine(line);
            }
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        const missing = `The log group ${pipeline.logGroup} does not exist yet: the processor has not run (or the stack is still being created).`;
        if (!options.follow) throw new UserError(missing, 1);
        if (!warned) reporter.emit({ type: 'warn', code: 'TAP_LOGS_GROUP_MISSING', message: `${missing} Waiting for it…` });
        warned = true;
      }
      if (!options.follow || options.signal?.aborted) break;
      for (const [id, ts] of seen) if (ts < cursor - OVERLAP_MS) seen.delete(id);
      for (const [id, ts] of requests) if (ts < cursor - MAX_INVOCATION_MS) requests.delete(id);
      delay = fresh ? min : Math.min(max, delay * 2);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) break;
    }
  });
  return { logGroup: pipeline.logGroup, lines, ...(pattern && { filterPattern: pattern }) };
}

/** keyPages of each group (one that does not exist yet, as a big-file group before any big file, is skipped), merged. */
async function* keyPagesOf(client: CloudWatchLogsClient, groups: string[], startTime: number, key: string, requests: Map<string, number>, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
  const merged: LogLine[] = [];
  for (const [i, group] of groups.entries()) {
    try {
      for await (const page of keyPages(client, group, startTime, key, requests, signal)) merged.push(...page);
    } catch (error) {
      if (i === 0 || (error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
  yield merged.sort((a, b) => a.timestamp - b.timestamp);
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
