/**
 * ListObjectsV2, ListObjects (v1) and ListObjectVersions over listing.ts. With `encoding-type=url`,
 * keys, prefixes, delimiters and markers are percent-encoded (RFC 3986 unreserved characters and `/`
 * kept, space as %20), which is what S3 returns (ceph s3-tests `test_bucket_listv2_encoding_basic`).
 */
import { invalidArgument } from './errors.js';
import { ownerOf, sendXml, xmlDate, type Handler, type Op } from './http.js';
import { listCurrent, listVersions, maxKeysParam } from './listing.js';
import type { ObjectVersion } from './objects.js';

export const listObjectsV2: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const q = params(op);
  const token = op.query.get('continuation-token');
  const startAfter = op.query.get('start-after') ?? undefined;
  const tokenKey = token === null ? undefined : decodeToken(token);
  const after = tokenKey ?? startAfter;
  const out = listCurrent(bucket.index, { prefix: q.prefix, ...(q.delimiter && { delimiter: q.delimiter }), maxKeys: q.maxKeys, ...(after !== undefined && { after }) });
  const fetchOwner = op.query.get('fetch-owner') === 'true';
  sendXml(op, 'ListBucketResult', {
    Name: op.bucket,
    Prefix: q.enc(q.prefix),
    ...(q.delimiter && { Delimiter: q.enc(q.delimiter) }),
    MaxKeys: q.maxKeys,
    ...(q.encoding && { EncodingType: q.encoding }),
    KeyCount: out.contents.length + out.commonPrefixes.length,
    IsTruncated: out.truncated,
    ...(token !== null && { ContinuationToken: token }),
    ...(out.truncated && out.last !== undefined && { NextContinuationToken: Buffer.from(out.last).toString('base64url') }),
    ...(startAfter !== undefined && { StartAfter: q.enc(startAfter) }),
    Contents: out.contents.map((v) => content(op, v, q.enc, fetchOwner)),
    CommonPrefixes: out.commonPrefixes.map((p) => ({ Prefix: q.enc(p) })),
  });
};

export const listObjects: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const q = params(op);
  const marker = op.query.get('marker') ?? '';
  const out = listCurrent(bucket.index, { prefix: q.prefix, ...(q.delimiter && { delimiter: q.delimiter }), maxKeys: q.maxKeys, ...(marker && { after: marker }) });
  sendXml(op, 'ListBucketResult', {
    Name: op.bucket,
    Prefix: q.enc(q.prefix),
    Marker: q.enc(marker),
    MaxKeys: q.maxKeys,
    ...(q.delimiter && { Delimiter: q.enc(q.delimiter) }),
    IsTruncated: out.truncated,
    // NextMarker only comes with a delimiter; without one, clients continue from the last key.
    ...(out.truncated && q.delimiter && out.last !== undefined && { NextMarker: q.enc(out.last) }),
    ...(q.encoding && { EncodingType: q.encoding }),
    Contents: out.contents.map((v) => content(op, v, q.enc, true)),
    CommonPrefixes: out.commonPrefixes.map((p) => ({ Prefix: q.enc(p) })),
  });
};

export const listObjectVersions: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const q = params(op);
  const keyMarker = op.query.get('key-marker') ?? '';
  const versionIdMarker = op.query.get('version-id-marker') ?? '';
  if (versionIdMarker && !keyMarker) {
    throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
  }
  const out = listVersions(bucket.index, {
    prefix: q.prefix,
    ...(q.delimiter && { delimiter: q.delimiter }),
    maxKeys: q.maxKeys,
    ...(keyMarker && { keyMarker }),
    ...(versionIdMarker && { versionIdMarker }),
  });
  const latest = (v: ObjectVersion) => bucket.index.latest(v.key) === v;
  const owner = ownerOf(op);
  // The SDK reads Version and DeleteMarker elements into separate lists, so their interleaving is not significant.
  sendXml(op, 'ListVersionsResult', {
    Name: op.bucket,
    Prefix: q.enc(q.prefix),
    KeyMarker: q.enc(keyMarker),
    VersionIdMarker: versionIdMarker,
    ...(out.nextKeyMarker !== undefined && { NextKeyMarker: q.enc(out.nextKeyMarker) }),
    ...(out.nextVersionIdMarker !== undefined && { NextVersionIdMarker: out.nextVersionIdMarker }),
    MaxKeys: q.maxKeys,
    ...(q.delimiter && { Delimiter: q.enc(q.delimiter) }),
    IsTruncated: out.truncated,
    ...(q.encoding && { EncodingType: q.encoding }),
    Version: out.versions
      .filter((v) => !v.deleteMarker)
      .map((v) => ({
        Key: q.enc(v.key),
        VersionId: v.versionId,
        IsLatest: latest(v),
        LastModified: xmlDate(v.lastModified),
        ETag: v.etag,
        Size: v.size,
        StorageClass: v.storageClass ?? 'STANDARD',
        Owner: owner,
        ...(v.checksum && { ChecksumAlgorithm: v.checksum.algorithm, ChecksumType: v.checksum.type }),
      })),
    DeleteMarker: out.versions
      .filter((v) => v.deleteMarker)
      .map((v) => ({ Key: q.enc(v.key), VersionId: v.versionId, IsLatest: latest(v), LastModified: xmlDate(v.lastModified), Owner: owner })),
    CommonPrefixes: out.commonPrefixes.map((p) => ({ Prefix: q.enc(p) })),
  });
};

function params(op: Op) {
  const encoding = op.query.get('encoding-type') ?? undefined;
  if (encoding !== undefined && encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  return {
    prefix: op.query.get('prefix') ?? '',
    delimiter: op.query.get('delimiter') || undefined,
    maxKeys: maxKeysParam(op.query.get('max-keys')),
    encoding,
    enc: encoding ? urlEncode : (s: string) => s,
  };
}

function content(op: Op, v: ObjectVersion, enc: (s: string) => string, withOwner: boolean) {
  return {
    Key: enc(v.key),
    LastModified: xmlDate(v.lastModified),
    ETag: v.etag,
    ...(v.checksum && { ChecksumAlgorithm: v.checksum.algorithm, ChecksumType: v.checksum.type }),
    Size: v.size,
    ...(withOwner && { Owner: ownerOf(op) }),
    StorageClass: v.storageClass ?? 'STANDARD',
  };
}

/** Percent-encoding of UTF-8 bytes except RFC 3986 unreserved characters and `/`. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%2F/g, '/');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || Buffer.from(key).toString('base64url') !== token) {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return key;
}
