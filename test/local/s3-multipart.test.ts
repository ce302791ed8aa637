import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { bodyBytes, newBucket, raw, s3Client } from './s3-fixtures.js';

const MiB = 1024 * 1024;
let local: LocalHarness;
let s3: S3Client;
beforeAll(async () => {
  local = await startLocal();
  s3 = s3Client(local);
});
afterAll(() => local.stop());

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

describe('S3 multipart uploads', () => {
  it('completes a ~12 MB lib-storage Upload sent as parallel parts, byte for byte, with S3 multipart ETag and checksum', async () => {
    const Bucket = await newBucket(s3, 'mpu');
    const data = randomBytes(12 * MiB + 12345);
    const upload = new Upload({ client: s3, params: { Bucket, Key: 'big.bin', Body: Readable.from([data]) }, partSize: 5 * MiB, queueSize: 3 });
    const parts: number[] = [];
    upload.on('httpUploadProgress', (p) => p.part !== undefined && parts.push(p.part));
    const out = await upload.done();

    const expectedEtag = createHash('md5').update(Buffer.concat([0, 1, 2].map((i) => md5(data.subarray(i * 5 * MiB, (i + 1) * 5 * MiB))))).digest('hex');
    expect(out.ETag).toBe(`"${expectedEtag}-3"`);
    expect(new Set(parts)).toEqual(new Set([1, 2, 3]));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big.bin', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==-3$/);
    expect(got.ChecksumType).toBe('COMPOSITE');
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);

    const part2 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'big.bin', PartNumber: 2 }));
    expect(part2).toMatchObject({ ContentLength: 5 * MiB, PartsCount: 3, ContentRange: `bytes ${5 * MiB}-${10 * MiB - 1}/${data.length}` });
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads).toBeUndefined();
  });

  it('lists parts and uploads in progress, then aborts', async () => {
    const Bucket = await newBucket(s3);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'dir/p', ChecksumAlgorithm: 'SHA256' }));
    const part = (PartNumber: number, Body: Buffer) =>
      s3.send(new UploadPartCommand({ Bucket, Key: 'dir/p', UploadId, PartNumber, Body, ChecksumAlgorithm: 'SHA256' }));
    const p1 = await part(1, randomBytes(5 * MiB));
    const p2 = await part(2, Buffer.from('tail'));
    // A part with another algorithm than the upload's is refused, as S3 does.
    await expect(s3.send(new UploadPartCommand({ Bucket, Key: 'dir/p', UploadId, PartNumber: 3, Body: 'x' }))).rejects.toMatchObject({ name: 'InvalidRequest' });
    expect(p1.ChecksumSHA256).toBeDefined();

    const listed = await s3.send(new ListPartsCommand({ Bucket, Key: 'dir/p', UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag, p.ChecksumSHA256])).toEqual([
      [1, 5 * MiB, p1.ETag, p1.ChecksumSHA256],
      [2, 4, p2.ETag, p2.ChecksumSHA256],
    ]);
    expect(listed).toMatchObject({ ChecksumAlgorithm: 'SHA256', IsTruncated: false, StorageClass: 'STANDARD' });
    const page = await s3.send(new ListPartsCommand({ Bucket, Key: 'dir/p', UploadId, MaxParts: 1 }));
    expect(page).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '1' });
    const rest = await s3.send(new ListPartsCommand({ Bucket, Key: 'dir/p', UploadId, PartNumberMarker: page.NextPartNumberMarker }));
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([2]);

    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['dir/p', UploadId]]);
    const folded = await s3.send(new ListMultipartUploadsCommand({ Bucket, Delimiter: '/' }));
    expect(folded.CommonPrefixes).toEqual([{ Prefix: 'dir/' }]);

    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'dir/p', UploadId }));
    await expect(s3.send(new ListPartsCommand({ Bucket, Key: 'dir/p', UploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new UploadPartCommand({ Bucket, Key: 'dir/p', UploadId, PartNumber: 3, Body: 'x' }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads).toBeUndefined();
  });

  it('aborts through lib-storage when the body fails, leaving no upload behind', async () => {
    const Bucket = await newBucket(s3);
    const body = new PassThrough();
    const upload = new Upload({ client: s3, params: { Bucket, Key: 'failing', Body: body }, partSize: 5 * MiB, queueSize: 2 });
    const done = upload.done();
    body.write(randomBytes(6 * MiB));
    await new Promise((resolve) => setTimeout(resolve, 200));
    body.destroy(new Error('source failed'));
    await expect(done).rejects.toThrow('source failed');
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads).toBeUndefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'failing' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('validates the part list: InvalidPart, InvalidPartOrder, EntityTooSmall, missing checksums', async () => {
    const Bucket = await newBucket(s3);
    const Key = 'v';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }));
    const a = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('small one') }));
    const b = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('small two') }));
    const complete = (Parts: Array<{ PartNumber: number; ETag?: string; ChecksumCRC32?: string }>) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
    const one = { PartNumber: 1, ETag: a.ETag!, ChecksumCRC32: a.ChecksumCRC32! };
    const two = { PartNumber: 2, ETag: b.ETag!, ChecksumCRC32: b.ChecksumCRC32! };

    await expect(complete([one, { ...two, ETag: '"0000"' }])).rejects.toMatchObject({ name: 'InvalidPart' });
    await expect(complete([one, { ...two, PartNumber: 7 }])).rejects.toMatchObject({ name: 'InvalidPart' });
    await expect(complete([two, one])).rejects.toMatchObject({ name: 'InvalidPartOrder' });
    await expect(complete([one, two])).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await expect(complete([{ PartNumber: 2, ETag: b.ETag! }])).rejects.toMatchObject({ name: 'InvalidRequest' });
    await expect(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 0, Body: 'x' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    const empty = await raw(local, 'POST', `/${Bucket}/${Key}?uploadId=${encodeURIComponent(UploadId!)}`, { body: '<CompleteMultipartUpload></CompleteMultipartUpload>' });
    expect(empty.text).toContain('<Code>MalformedXML</Code>');

    // A single (last) part may be small.
    const done = await complete([two]);
    expect(done.ETag).toMatch(/-1"$/);
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body)).toString()).toBe('small two');
  });

  it('copies byte ranges of an object into parts (UploadPartCopy)', async () => {
    const Bucket = await newBucket(s3);
    const data = randomBytes(6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'source', Body: data }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'assembled' }));
    const first = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'assembled', UploadId, PartNumber: 1, CopySource: `${Bucket}/source`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const second = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'assembled', UploadId, PartNumber: 2, CopySource: `${Bucket}/source`, CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }));
    expect(first.CopyPartResult?.ETag).toBe(`"${md5(data.subarray(0, 5 * MiB)).toString('hex')}"`);
    await s3.send(new CompleteMultipartUploadCommand({
      Bucket, Key: 'assembled', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.CopyPartResult!.ETag! }, { PartNumber: 2, ETag: second.CopyPartResult!.ETag! }] },
    }));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'assembled' }))).Body)).equals(data)).toBe(true);
  });

  it('computes a FULL_OBJECT checksum when the upload asks for one, which the SDK then validates', async () => {
    const Bucket = await newBucket(s3);
    const data = randomBytes(5 * MiB + 100);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'full', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)];
    const uploaded = [];
    for (const [i, Body] of parts.entries()) {
      const out = await s3.send(new UploadPartCommand({ Bucket, Key: 'full', UploadId, PartNumber: i + 1, Body }));
      uploaded.push({ PartNumber: i + 1, ETag: out.ETag!, ChecksumCRC32: out.ChecksumCRC32! });
    }
    const whole = Buffer.alloc(4);
    whole.writeUInt32BE(crc32(data));
    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket, Key: 'full', UploadId, ChecksumCRC32: whole.toString('base64'), ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts: uploaded },
    }));
    expect(done).toMatchObject({ ChecksumCRC32: whole.toString('base64'), ChecksumType: 'FULL_OBJECT' });
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'full', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBe(whole.toString('base64'));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
  });
});
