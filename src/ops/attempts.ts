/**
 * The last processing attempt of a file that failed without recording anything: the invocation
 * timed out or its runtime crashed, so the metadata table has no row and the message waits in the
 * ingest queue for its retry. The ingest queue cannot say so (an in-flight message cannot be seen,
 * and looking at a visible one would count as a receive), so the processor's log group does: the
 * lines that mention the key name the invocation, whose platform records say how it ended. The
 * retry is due when the message's visibility timeout, which started when it was received for that
 * invocation, runs out.
 */
import type { FailedAttempt } from '../shared/file-status.js';
import type { Clients } from './clients.js';
import type { LogLine } from './log-lines.js';
import { logs } from './logs.js';
import type { Pipeline } from './pipeline.js';
import { silentReporter } from './reporter.js';

export type { FailedAttempt } from '../shared/file-status.js';

/** How far back to look: the longest a message can wait for its retry (12 h visibility) is rare; 2 h is the stack's 6 × 15 min, and some. */
const LOOK_BACK_MS = 2 * 60 * 60_000;

export async function lastFailedAttempt(clients: Clients, pipeline: Pipeline, key: string, now = Date.now()): Promise<FailedAttempt | undefined> {
  const lines: LogLine[] = [];
  try {
    await logs(clients, pipeline, { key, sinceMs: LOOK_BACK_MS, follow: false, now: () => now, onLine: (l) => void lines.push(l) }, silentReporter);
  } catch {
    return undefined; // no log group yet, or not allowed to read it: nothing to say
  }
  // The newest invocation that mentions the key and has ended.
  const ends = lines.filter((l) => l.requestId && ended(l));
  const last = ends[ends.length - 1];
  if (!last) return undefined;
  const failure = ends.filter((l) => l.requestId === last.requestId).map(failureOf).find((f) => f !== undefined);
  if (!failure) return undefined;
  // The start: the end less the duration Lambda reports; else the start record (a system log level
  // of WARN leaves only runtimeDone); else the invocation's first line.
  const own = lines.filter((l) => l.requestId === last.requestId);
  const durationMs = Number((last.json?.['record'] as { metrics?: { durationMs?: unknown } } | undefined)?.metrics?.durationMs ?? /Duration: ([\d.]+) ms/.exec(last.raw)?.[1]);
  const started = Number.isFinite(durationMs)
    ? last.timestamp - durationMs
    : (own.find((l) => l.message === 'platform.start' || l.raw.startsWith('START RequestId:')) ?? own[0]!).timestamp;
  const visibility = await visibilityTimeout(clients, pipeline);
  return {
    requestId: last.requestId!,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(last.timestamp).toISOString(),
    ...failure,
    ...(visibility !== undefined && { retryDueAt: new Date(started + visibility * 1000).toISOString() }),
  };
}

/** A line that ends an invocation: its runtimeDone/report record, or the text format's lines. */
function ended(line: LogLine): boolean {
  return line.message === 'platform.runtimeDone' || line.message === 'platform.report' || line.raw.startsWith('REPORT RequestId:') || / Task timed out after /.test(line.raw);
}

function failureOf(line: LogLine): Pick<FailedAttempt, 'outcome' | 'detail'> | undefined {
  const timedOut = /Task timed out after [\d.]+ seconds/.exec(line.raw);
  if (timedOut) return { outcome: 'timeout', detail: timedOut[0] };
  const record = line.json?.['record'] as { status?: unknown; errorType?: unknown; metrics?: { durationMs?: unknown } } | undefined;
  const status = record ? record.status : /\tStatus: (\w+)/.exec(line.raw)?.[1];
  const errorType = record ? record.errorType : /\tError Type: (\S+)/.exec(line.raw)?.[1];
  if (status === 'timeout') {
    const ms = Number(record?.metrics?.durationMs ?? /Duration: ([\d.]+) ms/.exec(line.raw)?.[1]);
    return { outcome: 'timeout', detail: Number.isFinite(ms) ? `Task timed out after ${(ms / 1000).toFixed(2)} seconds` : 'Task timed out' };
  }
  if (status === 'error' || status === 'failure') return { outcome: 'crash', detail: typeof errorType === 'string' ? errorType : `status ${status}` };
  return undefined;
}

async function visibilityTimeout(clients: Clients, pipeline: Pipeline): Promise<number | undefined> {
  try {
    const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    const sqs = await clients.sqs();
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: pipeline.queueUrl, AttributeNames: ['VisibilityTimeout'] }));
    const seconds = Number(attrs.Attributes?.VisibilityTimeout);
    return Number.isFinite(seconds) ? seconds : undefined;
  } catch {
    return undefined;
  }
}
