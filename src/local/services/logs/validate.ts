/** Input checks with CloudWatch Logs' own error codes and messages. */
import { AwsError } from '../../errors.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

export const groupNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');

/** The values PutRetentionPolicy accepts (API reference, PutRetentionPolicy.retentionInDays). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function constraint(value: unknown, field: string, rule: string): AwsError {
  return invalidParameter(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`);
}

export function checkGroupName(name: unknown, field = 'logGroupName'): string {
  if (typeof name !== 'string' || name.length < 1) throw constraint(name, field, 'Member must have length greater than or equal to 1');
  if (name.length > 512) throw constraint(name, field, 'Member must have length less than or equal to 512');
  if (!/^[.\-_/#A-Za-z0-9]+$/.test(name)) {
    throw constraint(name, field, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
  }
  return name;
}

export function checkStreamName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1) throw constraint(name, 'logStreamName', 'Member must have length greater than or equal to 1');
  if (name.length > 512) throw constraint(name, 'logStreamName', 'Member must have length less than or equal to 512');
  if (/[:*]/.test(name)) throw constraint(name, 'logStreamName', 'Member must satisfy regular expression pattern: [^:*]*');
  return name;
}

export function checkRetention(days: unknown): number {
  if (!RETENTION_DAYS.includes(days as (typeof RETENTION_DAYS)[number])) {
    throw constraint(days, 'retentionInDays', `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  return days as number;
}

/** `limit`: absent → the default; out of range → AWS's validation message. */
export function checkLimit(limit: unknown, max: number, fallback: number): number {
  if (limit === undefined || limit === null) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw constraint(limit, 'limit', 'Member must have value greater than or equal to 1');
  }
  if (limit > max) throw constraint(limit, 'limit', `Member must have value less than or equal to ${max}`);
  return limit;
}

export function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== 'object') throw invalidParameter('tags must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (k.length < 1 || k.length > 128 || k.startsWith('aws:')) throw invalidParameter(`Invalid tag key: ${k}`);
    if (typeof v !== 'string' || v.length > 256) throw invalidParameter(`Invalid tag value for key: ${k}`);
    out[k] = v;
  }
  if (Object.keys(out).length > 50) throw invalidParameter('A log group can have at most 50 tags.');
  return out;
}

/** Offset tokens for the Describe* listings: opaque to clients, as AWS's are. */
export function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeOffset(token: unknown): number {
  if (token === undefined || token === null) return 0;
  try {
    const o = (JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw invalidParameter('The specified nextToken is invalid.');
}
