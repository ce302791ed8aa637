/**
 * S3 (restXml), path-style (`/<bucket>/<key>`; SDK clients set `forcePathStyle: true`, or use an IP
 * endpoint, which the SDK addresses path-style anyway) and virtual-hosted on `<bucket>.localhost` (for
 * clients whose resolver maps `*.localhost` to loopback; glibc's does not, so the SDK needs path-style).
 * Objects live as files under `<dataDir>/s3/` and stream in and out (aws-chunked bodies included), so
 * memory stays flat for large objects. Covers buckets and their configurations, objects (versioning,
 * ranges, conditional requests, checksums, copy, tagging), multipart uploads, and event notifications
 * to SQS and Lambda.
 *
 * Presigned URLs and POST policies are verified (presigned.ts, post-policy.ts) against the keys the
 * local AWS knows; form uploads (POST object) are accepted with a valid policy.
 *
 * Leaves out: authorization of header-signed requests (their signatures are not verified; bucket
 * policies, ACLs and public access blocks are stored, not enforced), lifecycle
 * expiration (rules are stored only), CORS preflight answers, website hosting, replication, object
 * lock / retention / legal hold, SSE-C and real encryption (SSE headers are reported, bytes are stored
 * plain), anonymous POST object (a form without a policy is refused), SelectObjectContent, RestoreObject, GetObjectAttributes,
 * bucket analytics/metrics/inventory, notifications to SNS topics and EventBridge (configurations are
 * stored, nothing is delivered), `s3:ObjectTagging` / `s3:ObjectAcl` events, checking that a Lambda
 * destination exists when notifications are configured (queues are checked), directory buckets, and
 * cross-region redirects (a bucket answers at any region's endpoint).
 */
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { localCredentials } from '../../auth/credentials.js';
import { AwsError } from '../../errors.js';
import { sendRestXmlError } from '../../protocols/rest.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import type { S3Api } from '../contracts.js';
import type { Op } from './http.js';
import { Notifier, newHostId } from './notifications.js';
import { isPresigned, verifyPresigned } from './presigned.js';
import { route } from './routes.js';
import { S3Store } from './store.js';

/** S3Api plus what the CloudFormation engine provisions through (buckets, configurations, notifications). */
export interface S3Service extends S3Api {
  readonly store: S3Store;
  readonly notifier: Notifier;
}

export function s3Service(ctx: LocalContext): S3Service {
  const root = join(ctx.dataDir, 's3');
  const store = new S3Store(root);
  const notifier = new Notifier(ctx, store, root);
  const credentials = localCredentials(ctx);

  return {
    name: 's3',
    store,
    notifier,
    async start() {
      await store.load();
      await notifier.outbox.start();
    },
    async handle(req: ServiceRequest, res: ServerResponse) {
      const { bucket, key } = address(req);
      const query = new URLSearchParams(rawQuery(req));
      if (isPresigned(rawQuery(req))) await verifyPresigned(req, (req.raw.url ?? '/').split('?')[0]!, rawQuery(req), credentials);
      const [name, handler] = route(req.method, bucket, key, query, req.header('x-amz-copy-source') !== undefined);
      ctx.faults.maybeFail('s3', name);
      const op: Op = { req, res, bucket, key, query, hostId: newHostId(), name, store, notifier, local: ctx };
      await handler(op);
    },
    sendError(req: ServiceRequest, res: ServerResponse, error: AwsError) {
      if (error.status === 304) {
        res.writeHead(304, { 'x-amz-request-id': req.requestId, ...error.extra.headers });
        res.end();
        return;
      }
      sendRestXmlError(res, req.requestId, error, req.method);
    },
    async stop() {
      await notifier.outbox.stop();
    },
    async reset() {
      await notifier.outbox.clear();
      await store.reset();
      await notifier.outbox.start();
    },
    getObjectBytes(bucket: string, key: string, versionId?: string) {
      return store.objects.readBytes(bucket, key, versionId);
    },
    objectTag(bucket: string, key: string, versionId?: string) {
      const version = store.objects.resolve(bucket, key, versionId);
      return `${version.versionId} ${version.etag} ${version.size}`;
    },
    openObject(bucket: string, key: string, versionId?: string) {
      const version = store.objects.resolve(bucket, key, versionId);
      const path = store.objects.dataPath(bucket, version);
      return { versionId: version.versionId, etag: version.etag, size: version.size, stream: () => createReadStream(path, { highWaterMark: 256 * 1024 }) };
    },
    *listObjects(bucket: string, prefix: string) {
      const index = store.bucket(bucket).index;
      for (const key of index.keys()) {
        if (!key.startsWith(prefix)) continue;
        const v = index.latest(key);
        if (!v || v.deleteMarker) continue;
        yield { Key: key, ETag: v.etag, LastModified: v.lastModified, Size: v.size, StorageClass: v.storageClass ?? 'STANDARD' };
      }
    },
    putObjectFile(bucket: string, key: string, path: string) {
      return store.objects.putFile(bucket, key, path);
    },
  };
}

/** The bucket and key, from the Host (`<bucket>.localhost`) or the path; the key is the raw path, decoded once. */
function address(req: ServiceRequest): { bucket: string; key: string } {
  const raw = req.raw.url ?? '/';
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/^\//, '');
  const host = /^([a-z0-9][a-z0-9.-]*[a-z0-9])\.(?:s3\.)?localhost(?::\d+)?$/.exec(req.header('host') ?? '');
  try {
    if (host && host[1] !== 's3') return { bucket: host[1]!, key: decodeURIComponent(path) };
    const slash = path.indexOf('/');
    if (slash < 0) return { bucket: decodeURIComponent(path), key: '' };
    return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

function rawQuery(req: ServiceRequest): string {
  const raw = req.raw.url ?? '';
  const q = raw.indexOf('?');
  return q < 0 ? '' : raw.slice(q + 1);
}

