/**
 * GetObject and HeadObject: version selection, conditional requests (304/412), byte ranges (206 with
 * Content-Range, 416 when unsatisfiable), `partNumber`, `response-*` overrides, checksums with
 * `x-amz-checksum-mode: ENABLED`. Bodies stream from the file: memory stays flat for any size.
 */
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { AwsError } from '../../errors.js';
import { invalidRange, preconditionFailed } from './errors.js';
import { baseHeaders, checksumHeaders, objectHeaders, type Handler, type Op } from './http.js';
import { etagMatches } from './object-input.js';
import type { ObjectVersion } from './objects.js';

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export const getObject: Handler = (op) => serve(op, true);
export const headObject: Handler = (op) => serve(op, false);

async function serve(op: Op, withBody: boolean): Promise<void> {
  const bucket = op.store.bucket(op.bucket);
  const version = op.store.objects.resolve(op.bucket, op.key, op.query.get('versionId') ?? undefined);
  const headers = objectHeaders(bucket, version);
  checkConditions(op, version, headers);

  const part = partRange(op, version);
  const range = part ?? byteRange(op.req.header('range'), version.size);
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const value = op.query.get(param);
    if (value !== null) headers[header] = value;
  }
  if (version.parts && part) headers['x-amz-mp-parts-count'] = String(version.parts.length);
  // Checksums describe the whole object: S3 sends them only when the whole object is returned.
  const whole = !range || (range.start === 0 && range.end === version.size - 1 && !part);
  if (op.req.header('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && whole) Object.assign(headers, checksumHeaders(version));

  const start = range?.start ?? 0;
  const end = range?.end ?? version.size - 1;
  const length = Math.max(0, end - start + 1);
  const status = range && !(part && !version.parts) ? 206 : 200;
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${version.size}`;
  Object.assign(headers, baseHeaders(op), { 'content-length': String(length) });

  if (!withBody || length === 0) {
    op.res.writeHead(status, headers);
    op.res.end();
    return;
  }
  // Open before answering: a concurrent overwrite may unlink the file, but an open descriptor still reads it.
  const file = await open(op.store.objects.dataPath(op.bucket, version));
  op.res.writeHead(status, headers);
  try {
    await pipeline(file.createReadStream({ start, end }), op.res);
  } catch {
    op.res.destroy(); // the client went away mid-body
  }
}

/** RFC 7232 precedence, as S3 applies it: If-Match before If-Unmodified-Since, If-None-Match before If-Modified-Since. */
function checkConditions(op: Op, version: ObjectVersion, headers: Record<string, string>): void {
  const ifMatch = op.req.header('if-match');
  const ifNoneMatch = op.req.header('if-none-match');
  const ifModifiedSince = op.req.header('if-modified-since');
  const ifUnmodifiedSince = op.req.header('if-unmodified-since');
  const modified = Math.floor(Date.parse(version.lastModified) / 1000);
  if (ifMatch !== undefined && !etagMatches(ifMatch, version.etag)) throw preconditionFailed('If-Match');
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && modified > Date.parse(ifUnmodifiedSince) / 1000) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  const notModified =
    (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version.etag)) ||
    (ifNoneMatch === undefined && ifModifiedSince !== undefined && modified <= Date.parse(ifModifiedSince) / 1000);
  if (notModified) {
    throw new AwsError('NotModified', 'Not Modified', 304, {
      headers: { etag: headers['etag']!, 'last-modified': headers['last-modified']!, ...(headers['x-amz-version-id'] && { 'x-amz-version-id': headers['x-amz-version-id'] }) },
    });
  }
}

interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * `Range: bytes=a-b | a- | -n`. Syntax S3 does not understand (or several ranges) is ignored: the whole
 * object is returned. A range that starts past the end is 416.
 */
export function byteRange(header: string | undefined, size: number): Range | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw invalidRange(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw invalidRange(size);
  return { start, end };
}

/** `?partNumber=n`: the bytes of part n of a multipart object (part 1 is the whole of any other object). */
function partRange(op: Op, version: ObjectVersion): Range | undefined {
  const param = op.query.get('partNumber');
  if (param === null) return undefined;
  const n = Number(param);
  const parts = version.parts ?? [version.size];
  if (!Number.isInteger(n) || n < 1 || n > parts.length) {
    throw new AwsError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, { fields: { PartNumberRequested: param, ActualPartCount: String(parts.length) } });
  }
  const start = parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + parts[n - 1]! - 1 };
}
