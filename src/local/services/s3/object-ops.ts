/**
 * Writing and deleting objects: PutObject, CopyObject, DeleteObject, DeleteObjects, object tagging.
 * Each change is committed (and its notifications queued) before the response goes out.
 */
import { AwsError } from '../../errors.js';
import { asArray } from '../../protocols/xml.js';
import { assertAclsAllowed } from './bucket-ops.js';
import { validateTags, type XmlTree } from './configs.js';
import { resolveCopySource } from './copy-source.js';
import { malformedXml } from './errors.js';
import { checksumHeaders, eventSource, readXml, sendEmpty, sendXml, sseHeaders, versionHeader, xmlDate, type Handler, type Op } from './http.js';
import { ingestBody } from './ingest.js';
import { assertKey, encryption, objectInput, storageClass, taggingHeader, writeCondition } from './object-input.js';
import type { ObjectVersion } from './objects.js';

export const putObject: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  assertKey(op.key);
  assertAclsAllowed(op, op.req.header('x-amz-acl'));
  const input = objectInput(op);
  const check = writeCondition(op);
  const body = await ingestBody(op.req, op.store.tmpDir, {
    defaultAlgorithm: 'CRC64NVME',
    maxSize: op.local.maxObjectBytes,
    into: () => op.store.objects.spareFor(op.bucket),
    inMemory: true,
  });
  const checksum = body.checksum && { ...body.checksum, type: 'FULL_OBJECT' as const };
  const version = await op.store.objects.commit(
    op.bucket,
    op.key,
    { ...input, body, size: body.size, etag: `"${body.md5}"`, ...(checksum && { checksum }) },
    check,
  );
  await op.notifier.emit('PutObject', 'ObjectCreated:Put', op.bucket, version, eventSource(op));
  sendEmpty(op, 200, { etag: version.etag, ...versionHeader(bucket, version), ...sseHeaders(version), ...checksumHeaders(version) });
};

export const copyObject: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  assertKey(op.key);
  const source = resolveCopySource(op);
  const replaceMetadata = directive(op, 'x-amz-metadata-directive');
  const replaceTags = directive(op, 'x-amz-tagging-directive');
  const cls = storageClass(op);
  const sseRequested = op.req.header('x-amz-server-side-encryption') !== undefined;
  const toItself = source.bucket === op.bucket && source.key === op.key && source.version === op.store.bucket(op.bucket).index.latest(op.key);
  if (toItself && !replaceMetadata && !cls && !sseRequested && !op.req.header('x-amz-website-redirect-location')) {
    throw new AwsError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const from = source.version;
  const described = replaceMetadata ? objectInput(op) : { headers: from.headers, metadata: from.metadata };
  const tags = replaceTags ? taggingHeader(op) : from.tags;
  const tmpPath = await op.store.objects.copyToTemp(source.bucket, from);
  const version = await op.store.objects.commit(op.bucket, op.key, {
    ...described,
    body: { path: tmpPath },
    size: from.size,
    etag: from.etag,
    ...(from.parts && { parts: from.parts }),
    ...(from.checksum && { checksum: from.checksum }),
    ...(tags && tags.length > 0 && { tags }),
    ...(cls && { storageClass: cls }),
    sse: encryption(op),
  });
  await op.notifier.emit('CopyObject', 'ObjectCreated:Copy', op.bucket, version, eventSource(op));
  const sourceBucket = op.store.bucket(source.bucket);
  sendXml(
    op,
    'CopyObjectResult',
    {
      ETag: version.etag,
      LastModified: xmlDate(version.lastModified),
      ...(version.checksum && { [`Checksum${version.checksum.algorithm}`]: version.checksum.value, ChecksumType: version.checksum.type }),
    },
    {
      ...versionHeader(bucket, version),
      ...(sourceBucket.versioning && { 'x-amz-copy-source-version-id': from.versionId }),
      ...sseHeaders(version),
    },
  );
};

function directive(op: Op, header: string): boolean {
  const value = op.req.header(header) ?? 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE') throw new AwsError('InvalidArgument', `Unknown ${header}: ${value}`);
  return value === 'REPLACE';
}

export const deleteObject: Handler = async (op) => {
  op.store.bucket(op.bucket);
  const versionId = op.query.get('versionId') ?? undefined;
  const headers = await deleteOne(op, op.key, versionId, 'DeleteObject');
  sendEmpty(op, 204, {
    ...(headers.versionId !== undefined && { 'x-amz-version-id': headers.versionId }),
    ...(headers.deleteMarker && { 'x-amz-delete-marker': 'true' }),
  });
};

/** Deletes and notifies; says what S3 reports: the version id involved, and whether it is a marker. */
async function deleteOne(op: Op, key: string, versionId: string | undefined, operation: string): Promise<{ versionId?: string; deleteMarker: boolean }> {
  const outcome = await op.store.objects.delete(op.bucket, key, versionId);
  const { version } = outcome;
  if (version) {
    const event = outcome.markerCreated ? 'ObjectRemoved:DeleteMarkerCreated' : 'ObjectRemoved:Delete';
    await op.notifier.emit(operation, event, op.bucket, version, eventSource(op));
  }
  const reportedId = versionId ?? (outcome.markerCreated ? version?.versionId : undefined);
  return { ...(reportedId !== undefined && { versionId: reportedId }), deleteMarker: Boolean(version?.deleteMarker) };
}

export const deleteObjects: Handler = async (op) => {
  op.store.bucket(op.bucket);
  const tree = await readXml(op, 'Delete');
  const objects = asArray(tree['Object'] as XmlTree | XmlTree[]);
  if (objects.length === 0 || objects.length > 1000) throw malformedXml();
  const quiet = String(tree['Quiet'] ?? 'false').trim() === 'true';
  const deleted: XmlTree[] = [];
  const errors: XmlTree[] = [];
  for (const object of objects) {
    const key = String(object['Key'] ?? '');
    const versionId = object['VersionId'] === undefined ? undefined : String(object['VersionId']);
    try {
      const result = await deleteOne(op, key, versionId, 'DeleteObjects');
      if (quiet) continue;
      deleted.push({
        Key: key,
        ...(versionId !== undefined && { VersionId: versionId }),
        ...(result.deleteMarker && { DeleteMarker: 'true', DeleteMarkerVersionId: result.versionId }),
      });
    } catch (error) {
      if (!(error instanceof AwsError) || error.status >= 500) throw error;
      errors.push({ Key: key, ...(versionId !== undefined && { VersionId: versionId }), Code: error.code, Message: error.message });
    }
  }
  sendXml(op, 'DeleteResult', { Deleted: deleted, Error: errors });
};

export const getObjectTagging: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const version = op.store.objects.resolve(op.bucket, op.key, op.query.get('versionId') ?? undefined);
  sendXml(op, 'Tagging', { TagSet: { Tag: version.tags ?? [] } }, versionHeader(bucket, version));
};

export const putObjectTagging: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const tree = await readXml(op, 'Tagging');
  const tags = validateTags(asArray((tree['TagSet'] as XmlTree | undefined)?.['Tag'] as XmlTree | XmlTree[]), 10);
  const version = await op.store.objects.setTags(op.bucket, op.key, op.query.get('versionId') ?? undefined, tags);
  sendEmpty(op, 200, versionHeader(bucket, version));
};

export const deleteObjectTagging: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const version: ObjectVersion = await op.store.objects.setTags(op.bucket, op.key, op.query.get('versionId') ?? undefined, []);
  sendEmpty(op, 204, versionHeader(bucket, version));
};
