import { ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { newBucket, s3Client } from './s3-fixtures.js';

let local: LocalHarness;
let s3: S3Client;
let Bucket: string;
const KEYS = ['a.txt', 'dir/one.txt', 'dir/sub/two.txt', 'dir/three.txt', 'other/x', 'z', 'foo+1/bar', 'quux ab/thud', 'asdf+b', 'é/e'];

beforeAll(async () => {
  local = await startLocal();
  s3 = s3Client(local);
  Bucket = await newBucket(s3, 'list');
  for (const Key of KEYS) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
});
afterAll(() => local.stop());

describe('S3 listings', () => {
  it('lists every key in S3 order (UTF-8 byte order), with sizes and ETags', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(out.Contents?.map((c) => c.Key)).toEqual([...KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(out.KeyCount).toBe(KEYS.length);
    expect(out.IsTruncated).toBe(false);
    expect(out.Contents?.[0]).toMatchObject({ Key: 'a.txt', Size: 5, ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/), StorageClass: 'STANDARD', ChecksumAlgorithm: ['CRC32'] });
    expect(out.Contents?.[0]?.Owner).toBeUndefined();
    expect((await s3.send(new ListObjectsV2Command({ Bucket, FetchOwner: true }))).Contents?.[0]?.Owner?.ID).toBeDefined();
  });

  it('filters by prefix and folds by delimiter into CommonPrefixes', async () => {
    const root = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(root.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'asdf+b', 'z']);
    expect(root.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/', 'foo+1/', 'other/', 'quux ab/', 'é/']);
    expect(root.KeyCount).toBe(8);
    const dir = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'dir/', Delimiter: '/' }));
    expect(dir.Contents?.map((c) => c.Key)).toEqual(['dir/one.txt', 'dir/three.txt']);
    expect(dir.CommonPrefixes).toEqual([{ Prefix: 'dir/sub/' }]);
    expect(dir.Prefix).toBe('dir/');
    expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'nothing/' }))).Contents).toBeUndefined();
  });

  it('pages with max-keys and continuation tokens, a common prefix counting as one entry', async () => {
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', MaxKeys: 3, ContinuationToken }));
      pages++;
      expect(page.KeyCount).toBeLessThanOrEqual(3);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      ContinuationToken = page.NextContinuationToken;
      expect(Boolean(ContinuationToken)).toBe(page.IsTruncated);
    } while (ContinuationToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['a.txt', 'asdf+b', 'dir/', 'foo+1/', 'other/', 'quux ab/', 'z', 'é/'].sort());
    const after = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'dir/three.txt' }));
    expect(after.Contents?.[0]?.Key).toBe('foo+1/bar');
    expect(after.StartAfter).toBe('dir/three.txt');
    await expect(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: '!!' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('URL-encodes keys and prefixes with encoding-type=url, as S3 does', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', EncodingType: 'url' }));
    expect(out.EncodingType).toBe('url');
    expect(out.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'asdf%2Bb', 'z']);
    expect(out.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/', 'foo%2B1/', 'other/', 'quux%20ab/', '%C3%A9/']);
  });

  it('lists with the v1 API: marker, and NextMarker when a delimiter is given', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 2, Delimiter: '/' }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'asdf+b']);
    expect(first.NextMarker).toBe('asdf+b');
    const next = await s3.send(new ListObjectsCommand({ Bucket, Marker: first.NextMarker, MaxKeys: 2, Delimiter: '/' }));
    expect(next.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/', 'foo+1/']);
    const noDelimiter = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 1 }));
    expect(noDelimiter.NextMarker).toBeUndefined();
    expect(noDelimiter.Contents?.[0]?.Owner?.ID).toBeDefined();
  });

  it('rejects a max-keys that is not a number', async () => {
    const res = await fetch(`${local.endpoint}/${Bucket}?list-type=2&max-keys=lots`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidArgument</Code>');
  });
});
