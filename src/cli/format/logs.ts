import type { LogLine } from '../../ops/log-lines.js';
import type { Style } from './style.js';

// Fields every processor line carries, or that repeat another field (the metadata item spread into
// "file processed" repeats the S3 fields), or that the pretty form shows elsewhere.
const HIDDEN = new Set([
  'level', 'message', 'timestamp', 'time', 'service', 'environment', 'sampling_rate', 'xray_trace_id', 'function_arn',
  'function_memory_size', 'function_name', 'function_request_id', 'cold_start', 'requestId', 'type', '_aws',
  'filename', 'bucket', 's3_bucket', 'version_id', 'etag', 'upload_timestamp', 'processed_at', 'format', 'file_size', 'processed_key',
]);
// Shown first, in this order, when present.
const KEY_FIELDS = ['s3_key', 'processing_status', 'records_processed', 'records_rejected', 'processing_duration_ms', 'error_kind', 'error_message', 'error', 'rejected_key', 'quarantine_key'];

/**
 * One log line. `json`: the line as stored (JSON lines unchanged; text lines as a JSON object), so
 * the output is NDJSON. Otherwise: time, level, message, then the key fields as `name=value`; a line
 * of the photo pipeline's processor is marked `[photos]` (the file pipeline's, the usual, are not).
 */
export function formatLogLine(line: LogLine & { pipeline?: string }, options: { json: boolean; style: Style }): string {
  if (options.json) return line.json ? line.raw : JSON.stringify({ timestamp: new Date(line.timestamp).toISOString(), message: line.raw });
  const { dim, red, yellow, bold } = options.style;
  const time = dim(new Date(line.timestamp).toISOString().slice(11, 23));
  const level = (line.level ?? '').padEnd(5);
  const coloured = line.level === 'ERROR' || line.level === 'CRITICAL' ? red(level) : line.level === 'WARN' ? yellow(level) : dim(level);
  const fields = line.json ? fieldsOf(line.json) : '';
  // Continuation lines of a multi-line message line up under the message.
  const text = line.message.replace(/\n$/, '').replace(/\n/g, `\n${' '.repeat(19)}`);
  const message = line.level === 'ERROR' || line.level === 'CRITICAL' ? bold(text) : text;
  const tag = line.pipeline && line.pipeline !== 'files' ? `${dim(`[${line.pipeline}]`)} ` : '';
  return `${time} ${coloured} ${tag}${message}${fields ? `  ${dim(fields)}` : ''}`;
}

function fieldsOf(json: Record<string, unknown>): string {
  const record = typeof json['record'] === 'object' && json['record'] !== null ? (json['record'] as Record<string, unknown>) : undefined;
  // A platform record (START/REPORT in JSON) has its fields under `record`; all of them are worth showing.
  const platform = record !== undefined && typeof json['type'] === 'string';
  const source = platform ? record : json;
  const names = [...KEY_FIELDS.filter((k) => k in source), ...Object.keys(source).filter((k) => !KEY_FIELDS.includes(k) && (platform || !HIDDEN.has(k)))];
  return names.map((k) => `${k}=${show(source[k])}`).join(' ');
}

function show(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value && 'name' in value) {
    const e = value as { name: unknown; message: unknown };
    return JSON.stringify(`${String(e.name)}: ${String(e.message)}`);
  }
  return JSON.stringify(value);
}
