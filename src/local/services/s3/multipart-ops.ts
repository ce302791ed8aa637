/**
 * Multipart upload operations over multipart.ts: create, upload part (and part copy), complete, abort,
 * list parts, list uploads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asArray } from '../../protocols/xml.js';
import { checksumHeader, isChecksumAlgorithm, newHasher, type ChecksumType } from './checksums.js';
import type { XmlTree } from './configs.js';
import { resolveCopySource } from './copy-source.js';
import { invalidArgument, invalidRange } from './errors.js';
import { checksumHeaders, eventSource, ownerOf, readXml, sendEmpty, sendXml, sseHeaders, versionHeader, xmlDate, type Handler } from './http.js';
import { assertChecksumValue, ingestBody, type Ingested } from './ingest.js';
import { commonPrefixOf, maxKeysParam } from './listing.js';
import { assertPartNumber, type RequestedPart } from './multipart.js';
import { assertKey, objectInput, writeCondition } from './object-input.js';
import { compareKeys } from './objects.js';
import { FILE_MODE } from '../../storage.js';

export const createMultipartUpload: Handler = async (op) => {
  op.store.bucket(op.bucket);
  assertKey(op.key);
  const algorithm = op.req.header('x-amz-checksum-algorithm')?.toUpperCase();
  if (algorithm !== undefined && !isChecksumAlgorithm(algorithm)) throw invalidArgument('Checksum algorithm provided is unsupported.', 'x-amz-checksum-algorithm', algorithm);
  const requestedType = op.req.header('x-amz-checksum-type')?.toUpperCase();
  if (requestedType !== undefined && requestedType !== 'COMPOSITE' && requestedType !== 'FULL_OBJECT') {
    throw invalidArgument('Value for x-amz-checksum-type header is invalid.', 'x-amz-checksum-type', requestedType);
  }
  // CRC64NVME only exists as a full-object checksum; the others default to COMPOSITE.
  const type = (requestedType ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE')) as ChecksumType;
  const upload = await op.store.uploads.create(op.bucket, op.key, {
    object: objectInput(op),
    ...(algorithm && { checksum: { algorithm, type } }),
  });
  sendXml(op, 'InitiateMultipartUploadResult', { Bucket: op.bucket, Key: op.key, UploadId: upload.uploadId }, {
    ...sseHeaders(upload.object),
    ...(algorithm && { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type }),
  });
};

export const uploadPart: Handler = async (op) => {
  const { upload, partNumber } = target(op);
  const algorithm = upload.record.checksum?.algorithm;
  const body = await ingestBody(op.req, op.store.tmpDir, { maxSize: op.local.maxObjectBytes, ...(algorithm && { requiredAlgorithm: algorithm }) });
  const part = await op.store.uploads.putPart(op.bucket, op.key, upload.record.uploadId, partNumber, body);
  const checksum = body.checksum;
  sendEmpty(op, 200, {
    etag: part.etag,
    ...sseHeaders(upload.record.object),
    ...(checksum && { [checksumHeader(checksum.algorithm)]: checksum.value }),
  });
};

export const uploadPartCopy: Handler = async (op) => {
  const { upload, partNumber } = target(op);
  const source = resolveCopySource(op);
  const rangeHeader = op.req.header('x-amz-copy-source-range');
  const m = rangeHeader === undefined ? undefined : /^bytes=(\d+)-(\d+)$/.exec(rangeHeader);
  if (rangeHeader !== undefined && !m) throw invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 'x-amz-copy-source-range', rangeHeader);
  const start = m ? Number(m[1]) : 0;
  const end = m ? Number(m[2]) : source.version.size - 1;
  if (m && (end < start || end >= source.version.size)) throw invalidRange(source.version.size);
  const algorithm = upload.record.checksum?.algorithm;
  const body = await copyRange(op.store.objects.dataPath(source.bucket, source.version), op.store.tmpDir, start, end, algorithm);
  const part = await op.store.uploads.putPart(op.bucket, op.key, upload.record.uploadId, partNumber, body);
  sendXml(op, 'CopyPartResult', {
    ETag: part.etag,
    LastModified: xmlDate(part.lastModified),
    ...(algorithm && part.checksum && { [`Checksum${algorithm}`]: part.checksum }),
  }, op.store.bucket(source.bucket).versioning ? { 'x-amz-copy-source-version-id': source.version.versionId } : {});
};

function target(op: Parameters<Handler>[0]) {
  const partNumber = Number(op.query.get('partNumber'));
  assertPartNumber(partNumber);
  return { upload: op.store.uploads.get(op.bucket, op.key, op.query.get('uploadId') ?? ''), partNumber };
}

async function copyRange(path: string, tmpDir: string, start: number, end: number, algorithm?: Parameters<typeof newHasher>[0]): Promise<Ingested<{ path: string }>> {
  const out = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
  const md5 = createHash('md5');
  const hasher = algorithm && newHasher(algorithm);
  const hashing = new Transform({ transform: (chunk: Buffer, _e, done) => (md5.update(chunk), hasher?.update(chunk), done(null, chunk)) });
  await pipeline(createReadStream(path, { start, end }), hashing, createWriteStream(out, { mode: FILE_MODE }));
  return { path: out, size: end - start + 1, md5: md5.digest('hex'), ...(algorithm && hasher && { checksum: { algorithm, value: hasher.digest().toString('base64') } }) };
}

export const completeMultipartUpload: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const uploadId = op.query.get('uploadId') ?? '';
  const upload = op.store.uploads.get(op.bucket, op.key, uploadId);
  const tree = await readXml(op, 'CompleteMultipartUpload', { checksumHeadersDescribeBody: false });
  const algorithm = upload.record.checksum?.algorithm;
  const requested: RequestedPart[] = asArray(tree['Part'] as XmlTree | XmlTree[]).map((p) => {
    const checksum = algorithm ? p[`Checksum${algorithm}`] : undefined;
    return { partNumber: Number(p['PartNumber']), etag: String(p['ETag'] ?? ''), ...(checksum !== undefined && { checksum: String(checksum) }) };
  });
  const full = algorithm ? op.req.header(checksumHeader(algorithm)) : undefined;
  if (full !== undefined && upload.record.checksum?.type === 'FULL_OBJECT') assertChecksumValue(algorithm!, full);
  const version = await op.store.uploads.complete(
    op.bucket,
    op.key,
    uploadId,
    requested,
    upload.record.checksum?.type === 'FULL_OBJECT' ? full : undefined,
    writeCondition(op),
  );
  await op.notifier.emit('CompleteMultipartUpload', 'ObjectCreated:CompleteMultipartUpload', op.bucket, version, eventSource(op));
  const checksum = upload.record.checksum && version.checksum;
  sendXml(op, 'CompleteMultipartUploadResult', {
    Location: `${op.local.endpoint()}/${op.bucket}/${op.key.split('/').map(encodeURIComponent).join('/')}`,
    Bucket: op.bucket,
    Key: op.key,
    ETag: version.etag,
    ...(checksum && { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type }),
  }, { ...versionHeader(bucket, version), ...sseHeaders(version), ...(checksum && checksumHeaders(version)) });
};

export const abortMultipartUpload: Handler = async (op) => {
  await op.store.uploads.abort(op.bucket, op.key, op.query.get('uploadId') ?? '');
  sendEmpty(op, 204);
};

export const listParts: Handler = async (op) => {
  const upload = op.store.uploads.get(op.bucket, op.key, op.query.get('uploadId') ?? '');
  const marker = Number(op.query.get('part-number-marker') ?? 0);
  const max = maxKeysParam(op.query.get('max-parts'), 'max-parts');
  const after = op.store.uploads.parts(upload).filter((p) => p.partNumber > marker);
  const page = after.slice(0, max);
  const truncated = page.length < after.length;
  const { checksum } = upload.record;
  sendXml(op, 'ListPartsResult', {
    Bucket: op.bucket,
    Key: op.key,
    UploadId: upload.record.uploadId,
    PartNumberMarker: marker,
    ...(page.length > 0 && { NextPartNumberMarker: page.at(-1)!.partNumber }),
    MaxParts: max,
    IsTruncated: truncated,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: xmlDate(p.lastModified),
      ETag: p.etag,
      Size: p.size,
      ...(checksum && p.checksum && { [`Checksum${checksum.algorithm}`]: p.checksum }),
    })),
    Initiator: ownerOf(op),
    Owner: ownerOf(op),
    StorageClass: upload.record.object.storageClass ?? 'STANDARD',
    ...(checksum && { ChecksumAlgorithm: checksum.algorithm, ChecksumType: checksum.type }),
  });
};

export const listMultipartUploads: Handler = async (op) => {
  const prefix = op.query.get('prefix') ?? '';
  const delimiter = op.query.get('delimiter') || undefined;
  const keyMarker = op.query.get('key-marker') ?? '';
  const uploadIdMarker = op.query.get('upload-id-marker') ?? '';
  const max = maxKeysParam(op.query.get('max-uploads'), 'max-uploads');
  const all = op.store.uploads
    .list(op.bucket)
    .filter((u) => u.key.startsWith(prefix))
    .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.localeCompare(b.initiated))
    .filter((u) => !keyMarker || compareKeys(u.key, keyMarker) > 0 || (u.key === keyMarker && uploadIdMarker && u.uploadId > uploadIdMarker));
  const uploads: typeof all = [];
  const prefixes: string[] = [];
  let truncated = false;
  for (const upload of all) {
    const cp = commonPrefixOf(upload.key, prefix, delimiter);
    if (cp !== undefined && prefixes.includes(cp)) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (cp !== undefined) prefixes.push(cp);
    else uploads.push(upload);
  }
  const last = uploads.at(-1);
  sendXml(op, 'ListMultipartUploadsResult', {
    Bucket: op.bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: uploadIdMarker,
    ...(truncated && last && { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId }),
    ...(delimiter && { Delimiter: delimiter }),
    Prefix: prefix,
    MaxUploads: max,
    IsTruncated: truncated,
    Upload: uploads.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiator: ownerOf(op),
      Owner: ownerOf(op),
      StorageClass: u.object.storageClass ?? 'STANDARD',
      Initiated: xmlDate(u.initiated),
      ...(u.checksum && { ChecksumAlgorithm: u.checksum.algorithm, ChecksumType: u.checksum.type }),
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
  });
};
