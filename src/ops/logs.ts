/**
 * `tap logs`: the processor's log group through FilterLogEvents, page by page, and with `follow` polled
 * until the signal fires. Lines are handed to `onLine` as they arrive (the CLI prints them), so a long
 * window never piles up in memory.
 *
 * Following re-reads a short overlap before the newest line seen, because CloudWatch Logs can make a
 * line searchable a few seconds after later ones; event ids already shown are skipped.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sleep } from './abort.js';
import { explainAwsError } from './aws-errors.js';
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

export async function logs(clients: Clients, pipeline: Pipeline, options: LogsOptions, reporter: Reporter): Promise<LogsResult> {
  const now = options.now ?? Date.now;
  const { min, max } = options.pollMs ?? { min: 1000, max: 10_000 };
  const pattern = filterPattern(options);
  const client = await clients.logs();
  const seen = new Map<string, number>();
  let cursor = now() - options.sinceMs;
  let lines = 0;
  let delay = min;
  let warned = false;
  try {
    for (;;) {
      let fresh = 0;
      try {
        for await (const page of pages(client, pipeline.logGroup, Math.max(0, cursor - (lines ? OVERLAP_MS : 0)), pattern, options.signal)) {
          for (const line of page) {
            if (seen.has(line.eventId)) continue;
            seen.set(line.eventId, line.timestamp);
            cursor = Math.max(cursor, line.timestamp);
            fresh++;
            if (matches(line, options)) {
              lines++;
              options.onLine(line);
            }
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        const missing = `The log group ${pipeline.logGroup} does not exist yet: the processor has not run (or the stack is still being created).`;
        if (!options.follow) throw new UserError(missing, 1);
        if (!warned) reporter.emit({ type: 'warn', message: `${missing} Waiting for it…` });
        warned = true;
      }
      if (!options.follow || options.signal?.aborted) break;
      for (const [id, ts] of seen) if (ts < cursor - OVERLAP_MS) seen.delete(id);
      delay = fresh ? min : Math.min(max, delay * 2);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) break;
    }
  } catch (error) {
    throw explainAwsError(error, clients.target, `reading ${pipeline.logGroup}`);
  }
  return { logGroup: pipeline.logGroup, lines, ...(pattern && { filterPattern: pattern }) };
}

async function* pages(client: CloudWatchLogsClient, logGroupName: string, startTime: number, filterPattern: string | undefined, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  let nextToken: string | undefined;
  do {
    if (signal?.aborted) return;
    const page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken, ...(filterPattern && { filterPattern }) }));
    yield (page.events ?? []).map(parseLogLine).sort((a, b) => a.timestamp - b.timestamp);
    nextToken = page.nextToken;
  } while (nextToken);
}
