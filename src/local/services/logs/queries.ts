/**
 * The read side of CloudWatch Logs: GetLogEvents (forward/backward tokens over one stream) and
 * FilterLogEvents (a time-ordered merge over many streams with a filter pattern), plus the batch rules
 * of PutLogEvents. Pure functions over the in-memory store.
 */
import { compileFilterPattern } from './filter.js';
import type { LogEvent, LogGroup, LogStream } from './store.js';
import { checkLimit, invalidParameter } from './validate.js';

const DAY = 86_400_000;
const MAX_BATCH_BYTES = 1_048_576;

export interface Rejections {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/**
 * PutLogEvents' rules (API reference, PutLogEvents): chronological order, at most 24 hours apart,
 * 10,000 events, 1 MiB (messages + 26 bytes each). Events over 14 days old (or older than the
 * retention) and over 2 hours ahead are rejected by index while the rest are stored.
 */
export function checkBatch(
  group: LogGroup,
  events: ReadonlyArray<{ timestamp?: unknown; message?: unknown }>,
  now = Date.now(),
): { accepted: Array<{ timestamp: number; message: string }>; rejected: Rejections | undefined } {
  if (events.length < 1) throw invalidParameter("1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (events.length > 10_000) throw invalidParameter("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000");
  let bytes = 0;
  let previous = -Infinity;
  for (const e of events) {
    if (typeof e.timestamp !== 'number' || typeof e.message !== 'string' || e.message.length < 1) {
      throw invalidParameter('Each log event needs a timestamp and a message of at least 1 character.');
    }
    if (e.timestamp < previous) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    previous = e.timestamp;
    bytes += Buffer.byteLength(e.message) + 26;
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);

  const tooOldBefore = now - 14 * DAY;
  const expiredBefore = group.meta.retentionInDays ? now - group.meta.retentionInDays * DAY : -Infinity;
  const tooNewAfter = now + 2 * 3_600_000;
  const rejected: Rejections = {};
  const accepted: Array<{ timestamp: number; message: string }> = [];
  events.forEach((e, i) => {
    const timestamp = e.timestamp as number;
    if (timestamp < tooOldBefore) rejected.tooOldLogEventEndIndex = i + 1;
    else if (timestamp < expiredBefore) rejected.expiredLogEventEndIndex = i + 1;
    else if (timestamp > tooNewAfter) rejected.tooNewLogEventStartIndex ??= i;
    else accepted.push({ timestamp, message: e.message as string });
  });
  if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > DAY) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  return { accepted, rejected: Object.keys(rejected).length ? rejected : undefined };
}

export interface GetLogEventsInput {
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  startFromHead?: boolean;
}

/** Tokens are positions in the stream: `f/<n>/s` reads forward from n, `b/<n>/s` backward from n. */
const token = (dir: 'f' | 'b', position: number) => `${dir}/${String(position).padStart(56, '0')}/s`;

function parseToken(value: string): { dir: 'f' | 'b'; position: number } {
  const m = /^([fb])\/(\d{1,56})\/s$/.exec(value);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { dir: m[1] as 'f' | 'b', position: Number(m[2]) };
}

export function getLogEvents(stream: LogStream, input: GetLogEventsInput) {
  const limit = checkLimit(input.limit, 10_000, 10_000);
  const inRange = (e: LogEvent) =>
    (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp < input.endTime);
  const all = stream.events;
  const from = input.nextToken ? parseToken(input.nextToken) : { dir: input.startFromHead ? 'f' : 'b', position: input.startFromHead ? 0 : all.length };
  const picked: number[] = [];
  let bytes = 0;
  const take = (i: number) => {
    const e = all[i]!;
    if (!inRange(e)) return true;
    bytes += Buffer.byteLength(e.message) + 26;
    if (picked.length >= limit || (picked.length > 0 && bytes > MAX_BATCH_BYTES)) return false;
    picked.push(i);
    return true;
  };
  if (from.dir === 'f') {
    for (let i = Math.min(from.position, all.length); i < all.length && take(i); i++);
  } else {
    for (let i = Math.min(from.position, all.length) - 1; i >= 0 && take(i); i--);
    picked.reverse();
  }
  const first = picked[0];
  const last = picked[picked.length - 1];
  return {
    events: picked.map((i) => ({ timestamp: all[i]!.timestamp, message: all[i]!.message, ingestionTime: all[i]!.ingestionTime })),
    // At the end of the stream the same token comes back, as AWS documents.
    nextForwardToken: last !== undefined ? token('f', last + 1) : input.nextToken && from.dir === 'f' ? input.nextToken : token('f', from.dir === 'f' ? from.position : Math.min(from.position, all.length)),
    nextBackwardToken: first !== undefined ? token('b', first) : input.nextToken && from.dir === 'b' ? input.nextToken : token('b', Math.min(from.position, all.length)),
  };
}

export interface FilterInput {
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

/** Events of many streams, merged in (timestamp, eventId) order; the token is the last key returned. */
export function filterLogEvents(group: LogGroup, input: FilterInput) {
  if (input.logStreamNames && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter('Cannot specify both logStreamNames and logStreamNamePrefix.');
  }
  const limit = checkLimit(input.limit, 10_000, 10_000);
  const match = compileFilterPattern(input.filterPattern);
  const after = input.nextToken ? decodeKey(input.nextToken) : undefined;
  const streams = [...group.streams.values()].filter((s) =>
    input.logStreamNames ? input.logStreamNames.includes(s.name) : s.name.startsWith(input.logStreamNamePrefix ?? ''),
  );
  const hits: Array<{ stream: string; event: LogEvent }> = [];
  for (const s of streams) {
    for (const event of s.events) {
      if (input.startTime !== undefined && event.timestamp < input.startTime) continue;
      if (input.endTime !== undefined && event.timestamp > input.endTime) continue;
      if (after && compareKey(event, after) <= 0) continue;
      if (match(event.message)) hits.push({ stream: s.name, event });
    }
  }
  hits.sort((a, b) => compareKey(a.event, b.event));
  const page = hits.slice(0, limit);
  const last = page[page.length - 1]?.event;
  return {
    events: page.map(({ stream, event }) => ({
      logStreamName: stream,
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.ingestionTime,
      eventId: event.eventId,
    })),
    searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
    ...(hits.length > limit && last ? { nextToken: encodeKey(last) } : {}),
  };
}

type Key = { timestamp: number; eventId: string };

function compareKey(a: Key, b: Key): number {
  return a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

function encodeKey(e: Key): string {
  return Buffer.from(JSON.stringify([e.timestamp, e.eventId])).toString('base64url');
}

function decodeKey(value: string): Key {
  try {
    const [timestamp, eventId] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof timestamp === 'number' && typeof eventId === 'string') return { timestamp, eventId };
  } catch {
    // fall through
  }
  throw invalidParameter('The specified nextToken is invalid.');
}
