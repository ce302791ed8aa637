import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { bodyBytes, newBucket, raw, s3Client } from './s3-fixtures.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.stop());

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('S3 objects: bytes and checksums', () => {
  it('round-trips random binary byte for byte, from a buffer and from a stream (aws-chunked with a CRC32 trailer)', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    const data = randomBytes(3 * 1024 * 1024 + 7);

    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'buffer.bin', Body: data }));
    expect(put.ETag).toBe(`"${md5(data)}"`);
    expect(put.ChecksumCRC32).toBeDefined();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'stream.bin', Body: Readable.from([data.subarray(0, 1_000_001), data.subarray(1_000_001)]), ContentLength: data.length }));

    for (const Key of ['buffer.bin', 'stream.bin']) {
      // The SDK validates the response checksum itself: a wrong one would throw here.
      const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
      expect(got.ChecksumType).toBe('FULL_OBJECT');
      expect(got.ContentLength).toBe(data.length);
      expect(got.ETag).toBe(`"${md5(data)}"`);
      expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    }
  });

  it.each(['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[])('stores and returns a %s checksum', async (ChecksumAlgorithm) => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    const data = randomBytes(100_000);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: data, ChecksumAlgorithm }));
    const field = `Checksum${ChecksumAlgorithm}` as const;
    expect(put[field]).toBeDefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k', ChecksumMode: 'ENABLED' }));
    expect(head[field]).toBe(put[field]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'k', ChecksumMode: 'ENABLED' }));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
  });

  it('computes a CRC64NVME checksum for uploads that send none, as S3 does', async () => {
    const Bucket = await newBucket(s3Client(local));
    const res = await raw(local, 'PUT', `/${Bucket}/plain`, { body: '123456789' });
    expect(res.status).toBe(200);
    // CRC-64/NVME("123456789") = 0xAE8B14860A799888
    expect(res.headers.get('x-amz-checksum-crc64nvme')).toBe(Buffer.from('ae8b14860a799888', 'hex').toString('base64'));
  });

  it('rejects a body whose checksum or Content-MD5 does not match (BadDigest), and short bodies', async () => {
    const Bucket = await newBucket(s3Client(local));
    const crc = await raw(local, 'PUT', `/${Bucket}/k`, { body: 'hello', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect(crc.status).toBe(400);
    expect(crc.text).toContain('<Code>BadDigest</Code>');
    const md = await raw(local, 'PUT', `/${Bucket}/k`, { body: 'hello', headers: { 'content-md5': createHash('md5').update('other').digest('base64') } });
    expect(md.text).toContain('<Code>BadDigest</Code>');
    const invalid = await raw(local, 'PUT', `/${Bucket}/k`, { body: 'hello', headers: { 'x-amz-checksum-sha256': 'short' } });
    expect(invalid.text).toContain('<Code>InvalidRequest</Code>');
    // Nothing was stored by the failed puts.
    expect((await raw(local, 'GET', `/${Bucket}/k`)).status).toBe(404);

    const deleteBody = '<Delete><Object><Key>k</Key></Object></Delete>';
    const del = await raw(local, 'POST', `/${Bucket}?delete`, { body: deleteBody, headers: { 'content-md5': createHash('md5').update('tampered').digest('base64') } });
    expect(del.text).toContain('<Code>BadDigest</Code>');

    const trailer = chunked([Buffer.from('hello')], 'x-amz-checksum-crc32:AAAAAA==');
    const bad = await raw(local, 'PUT', `/${Bucket}/t`, { body: trailer, headers: chunkedHeaders(5, 'x-amz-checksum-crc32') });
    expect(bad.text).toContain('<Code>BadDigest</Code>');
    const short = await raw(local, 'PUT', `/${Bucket}/t`, { body: chunked([Buffer.from('hell')]), headers: chunkedHeaders(5) });
    expect(short.text).toContain('<Code>IncompleteBody</Code>');
  });

  it('decodes signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', async () => {
    const Bucket = await newBucket(s3Client(local));
    const parts = [randomBytes(65536), randomBytes(10)];
    const sig = 'chunk-signature=' + 'a'.repeat(64);
    const body = Buffer.concat([
      ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)};${sig}\r\n`), p, Buffer.from('\r\n')]),
      Buffer.from(`0;${sig}\r\n\r\n`),
    ]);
    const res = await raw(local, 'PUT', `/${Bucket}/signed`, {
      body,
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '65546' },
    });
    expect(res.status).toBe(200);
    const got = await s3Client(local).send(new GetObjectCommand({ Bucket, Key: 'signed' }));
    expect(got.ContentEncoding).toBeUndefined(); // aws-chunked is transport framing, not stored
    expect((await bodyBytes(got.Body)).equals(Buffer.concat(parts))).toBe(true);
  });
});

describe('S3 objects: reads', () => {
  it('serves byte ranges with 206 and Content-Range, and 416 when unsatisfiable', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'r', Body: data }));
    const get = (Range: string) => s3.send(new GetObjectCommand({ Bucket, Key: 'r', Range }));

    const first = await get('bytes=0-9');
    expect(first.$metadata.httpStatusCode).toBe(206);
    expect(first.ContentRange).toBe('bytes 0-9/36');
    expect(first.ContentLength).toBe(10);
    expect((await bodyBytes(first.Body)).toString()).toBe('0123456789');
    expect((await bodyBytes((await get('bytes=30-')).Body)).toString()).toBe('uvwxyz');
    const suffix = await get('bytes=-4');
    expect(suffix.ContentRange).toBe('bytes 32-35/36');
    expect((await bodyBytes(suffix.Body)).toString()).toBe('wxyz');
    expect((await get('bytes=30-1000')).ContentRange).toBe('bytes 30-35/36');
    await expect(get('bytes=36-')).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
    // Syntax S3 does not understand returns the whole object.
    const whole = await get('bytes=5-2');
    expect(whole.$metadata.httpStatusCode).toBe(200);
    expect(whole.ContentLength).toBe(36);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'r', Range: 'bytes=1-2' }));
    expect(head.ContentLength).toBe(2);
  });

  it('honours If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'conditional' }));
    const get = (input: Record<string, unknown>) => s3.send(new GetObjectCommand({ Bucket, Key: 'c', ...input }));
    await expect(get({ IfMatch: ETag })).resolves.toMatchObject({ ETag });
    await expect(get({ IfMatch: '"nope"' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(get({ IfNoneMatch: ETag })).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(get({ IfModifiedSince: new Date(Date.now() + 60_000) })).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(get({ IfModifiedSince: new Date(Date.now() - 60_000) })).resolves.toBeDefined();
    await expect(get({ IfUnmodifiedSince: new Date(Date.now() - 60_000) })).rejects.toMatchObject({ name: 'PreconditionFailed' });

    // Conditional writes: create-only, and replace-only-if-unchanged.
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'x', IfNoneMatch: '*' }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'new', Body: 'x', IfNoneMatch: '*' }));
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'x', IfMatch: '"stale"' }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'x', IfMatch: ETag }));
  });

  it('keeps representation headers and user metadata, and applies response-* overrides', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await s3.send(new PutObjectCommand({
      Bucket, Key: 'm', Body: '{}', ContentType: 'application/json', CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="m.json"',
      ContentLanguage: 'en', Metadata: { origin: 'test', 'two-words': 'a b' }, Tagging: 'a=1&b=2', StorageClass: 'STANDARD_IA',
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'm' }));
    expect(head).toMatchObject({
      ContentType: 'application/json', CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="m.json"', ContentLanguage: 'en',
      Metadata: { origin: 'test', 'two-words': 'a b' }, StorageClass: 'STANDARD_IA', ServerSideEncryption: 'AES256', TagCount: 2, AcceptRanges: 'bytes',
    });
    expect(head.LastModified).toBeInstanceOf(Date);
    const over = await s3.send(new GetObjectCommand({ Bucket, Key: 'm', ResponseContentType: 'text/plain', ResponseCacheControl: 'no-cache' }));
    expect(over).toMatchObject({ ContentType: 'text/plain', CacheControl: 'no-cache' });
    // Without a Content-Type, S3 stores binary/octet-stream.
    const bare = await raw(local, 'PUT', `/${Bucket}/bare`, { body: Buffer.from('x') });
    expect(bare.status).toBe(200);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'bare' }))).ContentType).toBe('binary/octet-stream');
  });

  it('reports missing objects and buckets with their S3 errors', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'none' }))).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'none' }))).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    const res = await raw(local, 'GET', `/${Bucket}/none`);
    expect(res.text).toMatch(/<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>none<\/Key><RequestId>/);
    expect(res.headers.get('x-amz-request-id')).toBeTruthy();
  });

  it('routes a presigned-style GET (X-Amz-Credential in the query) to S3, which checks it: this one expired long ago', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'shared.txt', Body: 'presigned' }));
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;
    const res = await raw(local, 'GET', `/${Bucket}/shared.txt?${query}`);
    // Valid presigned URLs are served: test/local/s3-presigned.test.ts.
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Message>Request has expired</Message>');
  });
});

describe('S3 objects: keys, copies, deletes, tags', () => {
  const keys = ['with space.txt', 'plus+sign.txt', 'ünïcødé/文件 😀.txt', 'per%cent%20.txt', 'a/b//c', 'quote"and&amp<>.txt'];

  it('round-trips keys with spaces, +, unicode and % through Put, List, Get and Copy', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}` }));
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([...keys].sort());
    for (const Key of keys) {
      expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body)).toString()).toBe(`body of ${Key}`);
      const CopySource = `${Bucket}/${encodeURIComponent(Key)}`;
      await s3.send(new CopyObjectCommand({ Bucket, Key: `copy/${Key}`, CopySource }));
      expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: `copy/${Key}` }))).Body)).toString()).toBe(`body of ${Key}`);
    }
  });

  it('copies with COPY and REPLACE metadata directives, from a version, and refuses a no-op copy onto itself', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source', ContentType: 'text/plain', Metadata: { a: '1' }, ChecksumAlgorithm: 'SHA256' }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'same-meta', CopySource: `${Bucket}/src` }));
    expect(copied.CopyObjectResult).toMatchObject({ ETag: put.ETag, ChecksumSHA256: put.ChecksumSHA256, LastModified: expect.any(Date) });
    expect(await s3.send(new HeadObjectCommand({ Bucket, Key: 'same-meta' }))).toMatchObject({ ContentType: 'text/plain', Metadata: { a: '1' } });

    await s3.send(new CopyObjectCommand({ Bucket, Key: 'new-meta', CopySource: `/${Bucket}/src`, MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { b: '2' } }));
    expect(await s3.send(new HeadObjectCommand({ Bucket, Key: 'new-meta' }))).toMatchObject({ ContentType: 'text/csv', Metadata: { b: '2' } });

    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src` }))).rejects.toMatchObject({ name: 'InvalidRequest' });
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src`, MetadataDirective: 'REPLACE', Metadata: { touched: 'yes' } }));
    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/missing` }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/src`, CopySourceIfMatch: '"other"' }))).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
  });

  it('deletes one object, and many with DeleteObjects (quiet or verbose, with per-key errors)', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    for (const Key of ['a', 'b', 'c', 'd']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const one = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a' }));
    expect(one.$metadata.httpStatusCode).toBe(204);
    await expect(s3.send(new DeleteObjectCommand({ Bucket, Key: 'never-existed' }))).resolves.toBeDefined();

    const many = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'b' }, { Key: 'missing' }, { Key: 'c', VersionId: 'not-a-version' }] } }));
    expect(many.Deleted).toEqual([{ Key: 'b' }, { Key: 'missing' }]);
    expect(many.Errors).toEqual([{ Key: 'c', VersionId: 'not-a-version', Code: 'InvalidArgument', Message: 'Invalid version id specified' }]);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [{ Key: 'c' }, { Key: 'd' }] } }));
    expect(quiet.Deleted).toBeUndefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'd' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('puts, gets and deletes object tags', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 't', Body: 'x' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 't', Tagging: { TagSet: [{ Key: 'stage', Value: 'raw' }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 't' }))).TagSet).toEqual([{ Key: 'stage', Value: 'raw' }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 't' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 't' }))).TagSet).toEqual([]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(s3.send(new PutObjectTaggingCommand({ Bucket, Key: 't', Tagging: { TagSet: eleven } }))).rejects.toMatchObject({ name: 'BadRequest' });
  });

  it('refuses keys longer than 1024 bytes', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'k'.repeat(1025), Body: 'x' }))).rejects.toMatchObject({ name: 'KeyTooLongError' });
  });
});

/** aws-chunked framing by hand, unsigned, with an optional trailer line. */
function chunked(parts: Buffer[], trailer?: string): Buffer {
  return Buffer.concat([
    ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from(`0\r\n${trailer ? `${trailer}\r\n` : ''}\r\n`),
  ]);
}

function chunkedHeaders(decodedLength: number, trailer?: string): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': trailer ? 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' : 'STREAMING-UNSIGNED-PAYLOAD',
    'x-amz-decoded-content-length': String(decodedLength),
    ...(trailer && { 'x-amz-trailer': trailer }),
  };
}
