/**
 * What every S3 operation handler gets, and the restXml response helpers: S3's namespace, request id
 * headers, XML bodies, and the headers that describe an object.
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import { toXml } from '../../protocols/xml.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import { checksumHeader } from './checksums.js';
import { parseConfigXml, type XmlTree } from './configs.js';
import { verifyBufferedBody } from './ingest.js';
import type { EventSource, Notifier } from './notifications.js';
import type { ObjectVersion } from './objects.js';
import type { Bucket, S3Store } from './store.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface Op {
  readonly req: ServiceRequest;
  readonly res: ServerResponse;
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
  readonly hostId: string;
  readonly name: string;
  readonly store: S3Store;
  readonly notifier: Notifier;
  readonly local: LocalContext;
}

export type Handler = (op: Op) => Promise<void>;

export function baseHeaders(op: Op): Record<string, string> {
  return { 'x-amz-request-id': op.req.requestId, 'x-amz-id-2': op.hostId, server: 'AmazonS3' };
}

export function sendXml(op: Op, root: string, body: XmlTree, headers: Record<string, string> = {}, status = 200): void {
  const text = toXml({ [root]: { '@_xmlns': S3_NS, ...body } });
  op.res.writeHead(status, {
    ...baseHeaders(op),
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  op.res.end(text);
}

export function sendEmpty(op: Op, status = 200, headers: Record<string, string> = {}): void {
  op.res.writeHead(status, { ...baseHeaders(op), 'content-length': '0', ...headers });
  op.res.end();
}

/** The request body as the tree of its `root` element; MalformedXML otherwise. */
export async function readXml(op: Op, root: string, options: { checksumHeadersDescribeBody?: boolean } = {}): Promise<XmlTree> {
  const body = await op.req.body();
  // CompleteMultipartUpload's x-amz-checksum-* describe the object being completed, not the XML.
  if (options.checksumHeadersDescribeBody !== false) verifyBufferedBody(op.req, body);
  return parseConfigXml(body.toString('utf8'), root);
}

/** Who made the request, for event records. */
export function eventSource(op: Op): EventSource {
  const accessKey = /Credential=([^/,\s]+)/.exec(op.req.header('authorization') ?? '')?.[1] ?? op.query.get('X-Amz-Credential')?.split('/')[0];
  return {
    requestId: op.req.requestId,
    hostId: op.hostId,
    sourceIp: (op.req.raw.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    principalId: accessKey ? `AWS:${accessKey}` : 'anonymous',
  };
}

export const httpDate = (iso: string) => new Date(iso).toUTCString();

/** ISO 8601 with milliseconds, as S3's XML carries timestamps. */
export const xmlDate = (iso: string) => new Date(iso).toISOString();

/** x-amz-version-id is reported once a bucket has had versioning turned on. */
export function versionHeader(bucket: Bucket, version: ObjectVersion): Record<string, string> {
  return bucket.versioning ? { 'x-amz-version-id': version.versionId } : {};
}

export function sseHeaders(version: Pick<ObjectVersion, 'sse'>): Record<string, string> {
  const sse = version.sse ?? { algorithm: 'AES256' };
  return {
    'x-amz-server-side-encryption': sse.algorithm,
    ...(sse.kmsKeyId && { 'x-amz-server-side-encryption-aws-kms-key-id': sse.kmsKeyId }),
    ...(sse.bucketKeyEnabled && { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' }),
  };
}

export function checksumHeaders(version: Pick<ObjectVersion, 'checksum'>): Record<string, string> {
  const c = version.checksum;
  return c ? { [checksumHeader(c.algorithm)]: c.value, 'x-amz-checksum-type': c.type } : {};
}

/** The headers GET and HEAD describe an object with. */
export function objectHeaders(bucket: Bucket, version: ObjectVersion): Record<string, string> {
  const h = version.headers;
  const headers: Record<string, string> = {
    'last-modified': httpDate(version.lastModified),
    etag: version.etag,
    'content-type': h.contentType ?? 'binary/octet-stream',
    'accept-ranges': 'bytes',
    ...versionHeader(bucket, version),
    ...sseHeaders(version),
  };
  if (h.contentEncoding) headers['content-encoding'] = h.contentEncoding;
  if (h.contentDisposition) headers['content-disposition'] = h.contentDisposition;
  if (h.contentLanguage) headers['content-language'] = h.contentLanguage;
  if (h.cacheControl) headers['cache-control'] = h.cacheControl;
  if (h.expires) headers['expires'] = h.expires;
  if (h.websiteRedirectLocation) headers['x-amz-website-redirect-location'] = h.websiteRedirectLocation;
  if (version.storageClass && version.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = version.storageClass;
  if (version.tags?.length) headers['x-amz-tagging-count'] = String(version.tags.length);
  for (const [name, value] of Object.entries(version.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** The canonical user id of the local account's owner (S3's Owner/ID), stable per account. */
export function ownerOf(op: Op): { ID: string } {
  return { ID: Buffer.from(`tap-local-owner-${op.local.accountId}`).toString('hex').padEnd(64, '0').slice(0, 64) };
}

export function badRequest(message: string): AwsError {
  return new AwsError('InvalidRequest', message);
}
