/**
 * The processor's log lines: Powertools JSON (`level`, `message`, `s3_key`, …), Lambda's JSON platform
 * records (`type: platform.report`), and Lambda's text format (`START RequestId…`, `<time>\t<id>\tERROR\t…`).
 * Parsing, level filtering and the server-side filter pattern. Pure.
 *
 * Lambda's own lines about a failed invocation carry no level: `platform.runtimeDone`/`platform.report`
 * with a `status` of `timeout`, `error` or `failure`, text-format `Task timed out after N.NN seconds`
 * and `REPORT … Status: timeout`. They count as ERROR here, so `--level error` finds a time-out.
 */
import { UserError } from './errors.js';

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];

export interface LogLine {
  /** When the line was logged (ms since the epoch). */
  readonly timestamp: number;
  readonly eventId: string;
  readonly stream: string;
  /** The line as CloudWatch Logs has it. */
  readonly raw: string;
  /** The line's JSON object, when it is one. */
  readonly json?: Record<string, unknown>;
  /** Normalised level; absent for lines that have none (platform records, START/END/REPORT). */
  readonly level?: Level;
  /** The human part: Powertools' `message`, a platform record's type, or the text line. */
  readonly message: string;
  /** The Lambda request (invocation) the line belongs to, when it says. */
  readonly requestId?: string;
}

/** `platform.*` record statuses of an invocation that did not succeed. */
const FAILED_STATUSES = ['timeout', 'error', 'failure'];

export function parseLevel(text: string): Level {
  const upper = text.trim().toUpperCase();
  const level = upper === 'WARNING' ? 'WARN' : upper === 'FATAL' ? 'CRITICAL' : upper;
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new UserError(`--level "${text}" is not a log level. Use one of: ${LEVELS.map((l) => l.toLowerCase()).join(', ')} (for example --level error).`);
  }
  return level as Level;
}

const rank = (level: Level) => LEVELS.indexOf(level);

export function parseLogLine(event: { timestamp?: number; eventId?: string; logStreamName?: string; message?: string }): LogLine {
  const raw = (event.message ?? '').replace(/\n$/, '');
  const base = { timestamp: event.timestamp ?? 0, eventId: event.eventId ?? '', stream: event.logStreamName ?? '', raw };
  const json = parseObject(raw);
  if (json) {
    const levelText = typeof json['level'] === 'string' ? json['level'] : undefined;
    const record = json['record'] && typeof json['record'] === 'object' ? (json['record'] as Record<string, unknown>) : undefined;
    const failed = typeof json['type'] === 'string' && json['type'].startsWith('platform.') && FAILED_STATUSES.includes(String(record?.['status']));
    const level = levelText ? toLevel(levelText) : failed ? 'ERROR' : undefined;
    // Powertools' message; a platform record's type; an embedded-metric-format line is metrics.
    const message = typeof json['message'] === 'string' ? json['message'] : typeof json['type'] === 'string' ? json['type'] : '_aws' in json ? 'metrics' : raw;
    // Powertools (function_request_id), the runtime's console JSON (requestId), platform records.
    const requestId = [json['function_request_id'], json['requestId'], record?.['requestId']].find((v): v is string => typeof v === 'string' && v !== '');
    return { ...base, json, ...(level && { level }), message, ...(requestId && { requestId }) };
  }
  // Lambda's text format for console.*: `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
  const text = /^\S+\t(\S+)\t([A-Z]+)\t([\s\S]*)$/.exec(raw);
  const textLevel = text ? toLevel(text[2]!) : undefined;
  // `<ISO time> <request id> Task timed out after 3.00 seconds`; `START|END|REPORT RequestId: <id>`.
  const timedOut = /^\S+ (\S+) Task timed out after /.exec(raw);
  const platform = /^(?:START|END|REPORT) RequestId: (\S+)/.exec(raw);
  const failedReport = platform !== null && /\tStatus: (?:timeout|error|failure)\b/.test(raw);
  const level = textLevel ?? (timedOut || failedReport ? 'ERROR' : undefined);
  const requestId = (textLevel && text![1]) || timedOut?.[1] || platform?.[1];
  return { ...base, ...(level && { level }), message: text && textLevel ? text[3]! : raw, ...(requestId && { requestId }) };
}

function toLevel(text: string): Level | undefined {
  try {
    return parseLevel(text);
  } catch {
    return undefined;
  }
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface LineFilter {
  /** Lines containing this text. */
  readonly text?: string;
  /** Lines about this S3 key. */
  readonly key?: string;
  /** Lines at this level or above; lines without a level count as INFO. */
  readonly level?: Level;
}

export function matches(line: LogLine, filter: LineFilter): boolean {
  if (filter.text && !line.raw.includes(filter.text)) return false;
  if (filter.key && line.json?.['s3_key'] !== filter.key && !line.raw.includes(filter.key)) return false;
  if (filter.level && rank(line.level ?? 'INFO') < rank(filter.level)) return false;
  return true;
}

/**
 * The FilterLogEvents pattern that does most of the filtering server-side. Text terms and JSON
 * conditions cannot be combined in one pattern, so with text terms the level is checked here only.
 */
export function filterPattern(filter: LineFilter): string | undefined {
  const terms = [filter.text, filter.key].filter((t): t is string => Boolean(t));
  if (terms.length) return terms.map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(' ');
  if (filter.level && rank(filter.level) > rank('INFO')) {
    const levels = LEVELS.filter((l) => rank(l) >= rank(filter.level!)).map((l) => `$.level = "${l}"`);
    // The platform records of a failed invocation, which count as ERROR (they have no level).
    const failed = rank(filter.level) <= rank('ERROR') ? FAILED_STATUSES.map((s) => `$.record.status = "${s}"`) : [];
    return `{ ${[...levels, ...failed].join(' || ')} }`;
  }
  return undefined;
}
