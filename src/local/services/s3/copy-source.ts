/**
 * `x-amz-copy-source: /<bucket>/<url-encoded key>[?versionId=<id>]` and its preconditions
 * (`x-amz-copy-source-if-*`), shared by CopyObject and UploadPartCopy.
 */
import { AwsError } from '../../errors.js';
import { invalidArgument, preconditionFailed } from './errors.js';
import type { Op } from './http.js';
import { etagMatches } from './object-input.js';
import type { ObjectVersion } from './objects.js';

export const MAX_COPY_SIZE = 5 * 1024 ** 3;

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  readonly version: ObjectVersion;
}

export function resolveCopySource(op: Op): CopySource {
  const raw = op.req.header('x-amz-copy-source') ?? '';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', raw);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', raw);
  }
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  const versionId = params.get('versionId') ?? undefined;
  const version = op.store.objects.resolve(bucket, key, versionId);
  if (version.size > MAX_COPY_SIZE) {
    throw new AwsError('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SIZE}`);
  }
  checkCopyConditions(op, version);
  return { bucket, key, version };
}

/** As GET's conditions, but every failure is 412 (a copy has no 304). */
function checkCopyConditions(op: Op, version: ObjectVersion): void {
  const h = (name: string) => op.req.header(`x-amz-copy-source-${name}`);
  const modified = Math.floor(Date.parse(version.lastModified) / 1000);
  const ifMatch = h('if-match');
  const ifNoneMatch = h('if-none-match');
  const ifModifiedSince = h('if-modified-since');
  const ifUnmodifiedSince = h('if-unmodified-since');
  if (ifMatch !== undefined && !etagMatches(ifMatch, version.etag)) throw preconditionFailed('x-amz-copy-source-If-Match');
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && modified > Date.parse(ifUnmodifiedSince) / 1000) {
    throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version.etag)) throw preconditionFailed('x-amz-copy-source-If-None-Match');
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined && modified <= Date.parse(ifModifiedSince) / 1000) {
    throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}
