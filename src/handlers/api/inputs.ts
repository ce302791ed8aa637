/**
 * What callers send the API, checked before anything is read or signed: the POST /files body, the
 * GET /files query, and file keys. Every refusal says what is wrong and what would be right.
 */
import { PREFIX, relativeKey, type ProcessingStatus } from '../contract.js';
import { badRequest } from './http.js';

/** The largest single upload a presigned POST can carry (S3: 5 GB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
const MAX_KEY_BYTES = 1024;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(?:\s*;\s*charset=[a-z0-9_-]{1,40})?$/i;

export interface UploadRequest {
  readonly key: string;
  readonly contentType: string;
  readonly size: number;
}

/** The POST /files body: `{ filename, contentType, size }`. */
export function uploadRequest(body: string | null, isBase64Encoded: boolean): UploadRequest {
  if (body === null || body.trim() === '') throw badRequest('The body must be a JSON object: {"filename": "shipments.json", "contentType": "application/json", "size": 1234}.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch (error) {
    throw badRequest(`The body is not valid JSON (${(error as Error).message}).`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('The body must be a JSON object with filename, contentType and size.');
  const { filename, contentType, size, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw badRequest(`Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. The body takes filename, contentType and size.`);
  const missing = (['filename', 'contentType', 'size'] as const).filter((f) => (parsed as Record<string, unknown>)[f] === undefined);
  if (missing.length > 0) throw badRequest(`Missing field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  if (typeof filename !== 'string') throw badRequest('filename must be a string, e.g. "2026/01/shipments.json".');
  if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) throw badRequest('contentType must be a media type such as application/json, application/x-ndjson or text/csv.');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_UPLOAD_BYTES) {
    throw badRequest(`size must be the file's size in bytes: a whole number from 1 to ${MAX_UPLOAD_BYTES}.`);
  }
  return { key: fileKey(filename, 'filename'), contentType, size };
}

/**
 * A file name or key → its `incoming/` key. Relative folders are allowed (`2026/01/a.json`); empty
 * segments, `.` and `..`, control characters and keys over S3's 1024 bytes are not.
 */
export function fileKey(input: string, what: string): string {
  const name = relativeKey(input.normalize('NFC'));
  if (name === '' || name.endsWith('/')) throw badRequest(`${what} must name a file, e.g. shipments.json or 2026/01/shipments.json.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badRequest(`${what} must not contain control characters.`);
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw badRequest(`${what} must be folder names and a file name separated by single slashes, without . or .. segments.`);
  }
  const key = `${PREFIX.incoming}${name}`;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw badRequest(`${what} is too long: S3 keys are at most ${MAX_KEY_BYTES} bytes, incoming/ included.`);
  return key;
}

export interface ListQuery {
  readonly status?: ProcessingStatus;
  readonly sinceMs: number;
  readonly limit: number;
  readonly next?: string;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** GET /files?status=&since=&limit=&next= */
export function listQuery(query: Record<string, string | undefined> | null): ListQuery {
  const q = query ?? {};
  const unknown = Object.keys(q).filter((k) => !['status', 'since', 'limit', 'next'].includes(k));
  if (unknown.length > 0) throw badRequest(`Unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. GET /files takes status, since, limit and next.`);
  if (q.status !== undefined && q.status !== 'SUCCESS' && q.status !== 'FAILED') throw badRequest('status must be SUCCESS or FAILED.');
  let sinceMs = 86_400_000;
  if (q.since !== undefined) {
    const m = /^(\d{1,6})([smhd])$/.exec(q.since);
    if (!m) throw badRequest('since must be a duration such as 30m, 1h or 7d.');
    sinceMs = Number(m[1]) * UNITS[m[2]!]!;
    if (sinceMs > 366 * 86_400_000) throw badRequest('since can reach back at most 366d.');
  }
  let limit = 20;
  if (q.limit !== undefined) {
    if (!/^\d{1,3}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > 100) throw badRequest('limit must be a whole number from 1 to 100.');
    limit = Number(q.limit);
  }
  return { ...(q.status && { status: q.status as ProcessingStatus }), sinceMs, limit, ...(q.next !== undefined && { next: q.next }) };
}
