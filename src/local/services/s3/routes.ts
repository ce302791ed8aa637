/**
 * Which S3 operation a request is: by method, whether it names a bucket and a key, and its query
 * subresource (`?versioning`, `?uploads`, `?uploadId=…`). Unknown query parameters (the SDK's `x-id`)
 * are ignored, as S3 does; subresources the local AWS does not support answer NotImplemented.
 */
import { AwsError, notImplemented } from '../../errors.js';
import * as bucketOps from './bucket-ops.js';
import { ABSENT_CONFIGS, CONFIG_SUBRESOURCES, configHandlers } from './config-ops.js';
import type { ConfigName } from './configs.js';
import { getObject, headObject } from './get-object.js';
import type { Handler } from './http.js';
import { listObjectVersions, listObjects, listObjectsV2 } from './list-ops.js';
import * as mpu from './multipart-ops.js';
import * as objectOps from './object-ops.js';
import { postObject } from './post-object.js';

type Route = readonly [operation: string, handler: Handler];

/** Operation names of the stored configurations (they name fault switches too). */
const CONFIG_OPERATION: Record<ConfigName, string> = {
  policy: 'BucketPolicy',
  encryption: 'BucketEncryption',
  publicAccessBlock: 'PublicAccessBlock',
  lifecycle: 'BucketLifecycleConfiguration',
  tagging: 'BucketTagging',
  ownershipControls: 'BucketOwnershipControls',
  cors: 'BucketCors',
};

const UNSUPPORTED_BUCKET = ['analytics', 'metrics', 'inventory', 'intelligent-tiering', 'website', 'replication', 'object-lock', 'logging', 'accelerate', 'requestPayment', 'metadataTable', 'session'];
const UNSUPPORTED_OBJECT = ['attributes', 'retention', 'legal-hold', 'torrent', 'restore', 'select', 'renameObject'];

export function route(method: string, bucket: string, key: string, query: URLSearchParams, copy: boolean): Route {
  if (!bucket) {
    if (method === 'GET') return ['ListBuckets', bucketOps.listBuckets];
    throw methodNotAllowed();
  }
  return key ? objectRoute(method, query, copy) : bucketRoute(method, query);
}

function bucketRoute(method: string, q: URLSearchParams): Route {
  const config = Object.keys(CONFIG_SUBRESOURCES).find((sub) => q.has(sub));
  if (config) {
    const kind = CONFIG_SUBRESOURCES[config]!;
    const handlers = configHandlers(kind);
    if (method === 'PUT') return [`Put${CONFIG_OPERATION[kind]}`, handlers.put];
    if (method === 'GET') return [`Get${CONFIG_OPERATION[kind]}`, handlers.get];
    if (method === 'DELETE') return [`Delete${CONFIG_OPERATION[kind]}`, handlers.delete];
    throw methodNotAllowed();
  }
  switch (method) {
    case 'PUT':
      if (q.has('versioning')) return ['PutBucketVersioning', bucketOps.putBucketVersioning];
      if (q.has('notification')) return ['PutBucketNotificationConfiguration', bucketOps.putBucketNotification];
      if (q.has('acl')) return ['PutBucketAcl', bucketOps.putAcl];
      unsupported(UNSUPPORTED_BUCKET, q, 'PutBucket');
      return ['CreateBucket', bucketOps.createBucket];
    case 'GET':
      if (q.has('location')) return ['GetBucketLocation', bucketOps.getBucketLocation];
      if (q.has('versioning')) return ['GetBucketVersioning', bucketOps.getBucketVersioning];
      if (q.has('notification')) return ['GetBucketNotificationConfiguration', bucketOps.getBucketNotification];
      if (q.has('acl')) return ['GetBucketAcl', bucketOps.getBucketAcl];
      if (q.has('versions')) return ['ListObjectVersions', listObjectVersions];
      if (q.has('uploads')) return ['ListMultipartUploads', mpu.listMultipartUploads];
      for (const [sub, handler] of Object.entries(ABSENT_CONFIGS)) if (q.has(sub)) return [`GetBucket${sub[0]!.toUpperCase()}${sub.slice(1)}`, handler];
      unsupported(UNSUPPORTED_BUCKET, q, 'GetBucket');
      return q.get('list-type') === '2' ? ['ListObjectsV2', listObjectsV2] : ['ListObjects', listObjects];
    case 'HEAD':
      return ['HeadBucket', bucketOps.headBucket];
    case 'DELETE':
      unsupported(UNSUPPORTED_BUCKET, q, 'DeleteBucket');
      return ['DeleteBucket', bucketOps.deleteBucket];
    case 'POST':
      if (q.has('delete')) return ['DeleteObjects', objectOps.deleteObjects];
      return ['PostObject', postObject];
    default:
      throw methodNotAllowed();
  }
}

function objectRoute(method: string, q: URLSearchParams, copy: boolean): Route {
  switch (method) {
    case 'PUT':
      if (q.has('uploadId') && q.has('partNumber')) return copy ? ['UploadPartCopy', mpu.uploadPartCopy] : ['UploadPart', mpu.uploadPart];
      if (q.has('tagging')) return ['PutObjectTagging', objectOps.putObjectTagging];
      if (q.has('acl')) return ['PutObjectAcl', bucketOps.putAcl];
      unsupported(UNSUPPORTED_OBJECT, q, 'PutObject');
      return copy ? ['CopyObject', objectOps.copyObject] : ['PutObject', objectOps.putObject];
    case 'GET':
      if (q.has('uploadId')) return ['ListParts', mpu.listParts];
      if (q.has('tagging')) return ['GetObjectTagging', objectOps.getObjectTagging];
      if (q.has('acl')) return ['GetObjectAcl', bucketOps.getObjectAcl];
      unsupported(UNSUPPORTED_OBJECT, q, 'GetObject');
      return ['GetObject', getObject];
    case 'HEAD':
      return ['HeadObject', headObject];
    case 'DELETE':
      if (q.has('uploadId')) return ['AbortMultipartUpload', mpu.abortMultipartUpload];
      if (q.has('tagging')) return ['DeleteObjectTagging', objectOps.deleteObjectTagging];
      return ['DeleteObject', objectOps.deleteObject];
    case 'POST':
      if (q.has('uploads')) return ['CreateMultipartUpload', mpu.createMultipartUpload];
      if (q.has('uploadId')) return ['CompleteMultipartUpload', mpu.completeMultipartUpload];
      unsupported(UNSUPPORTED_OBJECT, q, 'PostObject');
      throw notImplemented('s3', 'PostObject');
    default:
      throw methodNotAllowed();
  }
}

function unsupported(subresources: readonly string[], q: URLSearchParams, verb: string): void {
  const sub = subresources.find((s) => q.has(s));
  if (sub) throw notImplemented('s3', `${verb} ?${sub}`);
}

function methodNotAllowed(): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
}
