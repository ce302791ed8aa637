/**
 * What a write request says about the object beyond its bytes: representation headers, user metadata,
 * tags, storage class, encryption; and the write preconditions (If-Match / If-None-Match).
 */
import { AwsError } from '../../errors.js';
import { asArray } from '../../protocols/xml.js';
import { storedContentEncoding } from './chunked.js';
import { validateTags, type XmlTree } from './configs.js';
import { noSuchKey, preconditionFailed } from './errors.js';
import type { Op } from './http.js';
import type { ObjectVersion, ServerSideEncryption, StoredHeaders, Tag } from './objects.js';

export interface ObjectInput {
  readonly headers: StoredHeaders;
  readonly metadata: Record<string, string>;
  readonly tags?: readonly Tag[];
  readonly storageClass?: string;
  readonly sse: ServerSideEncryption;
}

const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING',
  'GLACIER', 'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE',
]);

const MAX_METADATA_BYTES = 2 * 1024;
const MAX_KEY_BYTES = 1024;

export function assertKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new AwsError('KeyTooLongError', 'Your key is too long', 400, { fields: { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: '1024' } });
  }
}

export function representationHeaders(op: Op): StoredHeaders {
  const h = (name: string) => op.req.header(name);
  const headers: StoredHeaders = {};
  const contentType = h('content-type');
  const contentEncoding = storedContentEncoding(h('content-encoding'));
  if (contentType) headers.contentType = contentType;
  if (contentEncoding) headers.contentEncoding = contentEncoding;
  if (h('content-disposition')) headers.contentDisposition = h('content-disposition');
  if (h('content-language')) headers.contentLanguage = h('content-language');
  if (h('cache-control')) headers.cacheControl = h('cache-control');
  if (h('expires')) headers.expires = h('expires');
  if (h('x-amz-website-redirect-location')) headers.websiteRedirectLocation = h('x-amz-website-redirect-location');
  return headers;
}

export function userMetadata(op: Op): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(op.req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    metadata[name.slice('x-amz-meta-'.length)] = text;
    bytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(text);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400, {
      fields: { Size: String(bytes), MaxSizeAllowed: String(MAX_METADATA_BYTES) },
    });
  }
  return metadata;
}

/** `x-amz-tagging: k1=v1&k2=v2` (query-string encoded). */
export function taggingHeader(op: Op): Tag[] | undefined {
  const header = op.req.header('x-amz-tagging');
  if (header === undefined) return undefined;
  return validateTags([...new URLSearchParams(header)].map(([Key, Value]) => ({ Key, Value })), 10);
}

export function storageClass(op: Op): string | undefined {
  const value = op.req.header('x-amz-storage-class');
  if (value !== undefined && !STORAGE_CLASSES.has(value)) {
    throw new AwsError('InvalidStorageClass', 'The storage class you specified is not valid', 400, { fields: { StorageClassRequested: value } });
  }
  return value;
}

/** The request's encryption, else the bucket's default (SSE-S3 unless configured otherwise). */
export function encryption(op: Op): ServerSideEncryption {
  const requested = op.req.header('x-amz-server-side-encryption');
  if (requested !== undefined) {
    if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(requested)) {
      throw new AwsError('InvalidArgument', 'The encryption method specified is not supported', 400, {
        fields: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: requested },
      });
    }
    const kmsKeyId = op.req.header('x-amz-server-side-encryption-aws-kms-key-id');
    const bucketKey = op.req.header('x-amz-server-side-encryption-bucket-key-enabled') === 'true';
    return { algorithm: requested, ...(kmsKeyId && { kmsKeyId }), ...(bucketKey && { bucketKeyEnabled: true }) };
  }
  const config = op.store.getBucketConfig(op.bucket, 'encryption') as XmlTree;
  const rule = asArray(config['Rule'] as XmlTree | XmlTree[])[0] ?? {};
  const byDefault = (rule['ApplyServerSideEncryptionByDefault'] ?? {}) as XmlTree;
  const kmsKeyId = byDefault['KMSMasterKeyID'] === undefined ? undefined : String(byDefault['KMSMasterKeyID']);
  return {
    algorithm: String(byDefault['SSEAlgorithm'] ?? 'AES256'),
    ...(kmsKeyId && { kmsKeyId }),
    ...(String(rule['BucketKeyEnabled']) === 'true' && { bucketKeyEnabled: true }),
  };
}

export function objectInput(op: Op): ObjectInput {
  const tags = taggingHeader(op);
  const cls = storageClass(op);
  return {
    headers: representationHeaders(op),
    metadata: userMetadata(op),
    ...(tags && { tags }),
    ...(cls && { storageClass: cls }),
    sse: encryption(op),
  };
}

/** Conditional writes: `If-None-Match: *` (only if absent) and `If-Match: <etag>` (only if unchanged). */
export function writeCondition(op: Op): ((current?: ObjectVersion) => void) | undefined {
  const ifNoneMatch = op.req.header('if-none-match');
  const ifMatch = op.req.header('if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, {
      fields: { Header: 'If-None-Match' },
    });
  }
  return (current) => {
    if (ifNoneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!current) throw noSuchKey(op.key);
      if (!etagMatches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
    }
  };
}

/** An If-Match / If-None-Match list against an ETag (quotes optional, `*` matches any). */
export function etagMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/"/g, '');
  return list.split(',').some((item) => {
    const candidate = item.trim().replace(/^W\//, '').replace(/"/g, '');
    return candidate === '*' || candidate === bare;
  });
}
