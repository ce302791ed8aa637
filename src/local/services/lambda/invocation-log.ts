/**
 * The log events of one invocation, as Lambda writes them to the function's log group. Text format:
 * `START RequestId: … Version: $LATEST`, the function's lines, `END RequestId: …`, `REPORT RequestId: …
 * Duration … Billed Duration … Memory Size … Max Memory Used …`. JSON format: `platform.start` and
 * `platform.report` records (system log level INFO; WARN drops them), application lines filtered by the
 * application log level (lines without a JSON `level` count as INFO).
 */
import type { LoggingConfig } from './model.js';
import type { LogLine } from './worker.js';

export interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMB: number;
  readonly maxMemoryUsedMB: number;
  readonly initDurationMs?: number;
  /** Absent for success. */
  readonly status?: 'error' | 'timeout';
  readonly errorType?: string;
  readonly timeoutSeconds?: number;
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const rank = (level: string | undefined) => {
  const i = LEVELS.indexOf(String(level ?? '').toUpperCase());
  return i < 0 ? LEVELS.indexOf('INFO') : i;
};

export function invocationEvents(
  logging: LoggingConfig,
  startedAt: number,
  lines: readonly LogLine[],
  report: Report,
): LogLine[] {
  const end = Date.now();
  const billed = Math.ceil(report.durationMs + (report.initDurationMs ?? 0));
  if (logging.LogFormat === 'JSON') {
    const system = rank(logging.SystemLogLevel);
    const app = rank(logging.ApplicationLogLevel);
    const platform = (timestamp: number, type: string, level: string, record: Record<string, unknown>): LogLine[] =>
      rank(level) >= system ? [{ timestamp, message: JSON.stringify({ time: new Date(timestamp).toISOString(), type, record }) }] : [];
    const status = report.status ?? 'success';
    return [
      ...platform(startedAt, 'platform.start', 'INFO', { requestId: report.requestId, version: '$LATEST' }),
      ...lines.filter((l) => rank(jsonLevel(l.message)) >= app),
      ...platform(end, 'platform.runtimeDone', status === 'success' ? 'DEBUG' : 'WARN', {
        requestId: report.requestId,
        status,
        ...(report.errorType ? { errorType: report.errorType } : {}),
        metrics: { durationMs: round(report.durationMs) },
      }),
      ...platform(end, 'platform.report', 'INFO', {
        requestId: report.requestId,
        metrics: {
          durationMs: round(report.durationMs),
          billedDurationMs: billed,
          memorySizeMB: report.memorySizeMB,
          maxMemoryUsedMB: report.maxMemoryUsedMB,
          ...(report.initDurationMs !== undefined ? { initDurationMs: round(report.initDurationMs) } : {}),
        },
        status,
        ...(report.errorType ? { errorType: report.errorType } : {}),
      }),
    ];
  }
  const id = report.requestId;
  return [
    { timestamp: startedAt, message: `START RequestId: ${id} Version: $LATEST` },
    ...lines,
    ...(report.status === 'timeout'
      ? [{ timestamp: end, message: `${new Date(end).toISOString()} ${id} Task timed out after ${report.timeoutSeconds!.toFixed(2)} seconds` }]
      : []),
    { timestamp: end, message: `END RequestId: ${id}` },
    {
      timestamp: end,
      message:
        `REPORT RequestId: ${id}\tDuration: ${report.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
        `Memory Size: ${report.memorySizeMB} MB\tMax Memory Used: ${report.maxMemoryUsedMB} MB\t` +
        (report.initDurationMs !== undefined ? `Init Duration: ${report.initDurationMs.toFixed(2)} ms\t` : '') +
        (report.status ? `Status: ${report.status}\t` : '') +
        (report.errorType && report.status === 'error' ? `Error Type: ${report.errorType}\t` : ''),
    },
  ];
}

/** The `level` of a JSON log line (Powertools, the runtime's own JSON lines), if it has one. */
function jsonLevel(message: string): string | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const level = (JSON.parse(message) as { level?: unknown }).level;
    return typeof level === 'string' ? level : undefined;
  } catch {
    return undefined;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** X-Amz-Log-Result: the last 4 KB of the invocation's log, base64. */
export function logTail(events: readonly LogLine[]): string {
  const text = Buffer.from(`${events.map((e) => e.message).join('\n')}\n`);
  return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
}
