import {
  CopyObjectCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { bodyBytes, newBucket, s3Client } from './s3-fixtures.js';

let local: LocalHarness;
let s3: S3Client;
beforeAll(async () => {
  local = await startLocal();
  s3 = s3Client(local);
});
afterAll(() => local.stop());

async function versionedBucket(): Promise<string> {
  const Bucket = await newBucket(s3, 'ver');
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return Bucket;
}

const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body)).toString();

describe('S3 versioning', () => {
  it('keeps every version, each with its own id, and reads any of them', async () => {
    const Bucket = await versionedBucket();
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    expect(await text(Bucket, 'doc')).toBe('two');
    expect(await text(Bucket, 'doc', v1.VersionId)).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'doc' }));
    expect(head.VersionId).toBe(v2.VersionId);
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: 'A'.repeat(32) }))).rejects.toMatchObject({ name: 'NoSuchVersion' });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: 'bad id' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'restored', CopySource: `${Bucket}/doc?versionId=${v1.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect(await text(Bucket, 'restored')).toBe('one');
  });

  it('deletes by creating a delete marker, which hides the key until the marker is deleted', async () => {
    const Bucket = await versionedBucket();
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'kept' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);

    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    const hidden = await fetch(`${local.endpoint}/${Bucket}/k`);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('x-amz-delete-marker')).toBe('true');
    expect(hidden.headers.get('x-amz-version-id')).toBe(del.VersionId);
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 405 },
    });
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents).toBeUndefined();
    expect(await text(Bucket, 'k', v1.VersionId)).toBe('kept');

    const undelete = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId }));
    expect(undelete).toMatchObject({ DeleteMarker: true, VersionId: del.VersionId });
    expect(await text(Bucket, 'k')).toBe('kept');
    const gone = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }));
    expect(gone.VersionId).toBe(v1.VersionId);
    expect(gone.DeleteMarker).toBeUndefined();
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('lists versions and delete markers newest first, paging with key and version-id markers', async () => {
    const Bucket = await versionedBucket();
    const a1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'a', Body: '1' }));
    const a2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'a', Body: '22' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a' }));
    const b1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'b', Body: '333' }));

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual([
      ['a', a2.VersionId, false, 2],
      ['a', a1.VersionId, false, 1],
      ['b', b1.VersionId, true, 3],
    ]);
    expect(all.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([['a', marker.VersionId, true]]);

    // Page through two entries at a time, as `tap destroy` does to empty a versioned bucket.
    const entries: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 2, KeyMarker, VersionIdMarker }));
      entries.push(...[...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => v.VersionId!));
      if (!page.IsTruncated) break;
      KeyMarker = page.NextKeyMarker;
      VersionIdMarker = page.NextVersionIdMarker;
    }
    expect(entries.sort()).toEqual([a1.VersionId, a2.VersionId, marker.VersionId, b1.VersionId].sort());
  });

  it('refuses to delete a bucket while versions or delete markers remain, then empties it version by version', async () => {
    const Bucket = await versionedBucket();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'x', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'x' }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket }))).rejects.toMatchObject({ name: 'BucketNotEmpty', $metadata: { httpStatusCode: 409 } });
    const { Versions = [], DeleteMarkers = [] } = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    const Objects = [...Versions, ...DeleteMarkers].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }));
    expect(out.Deleted).toHaveLength(2);
    expect(out.Deleted?.find((d) => d.DeleteMarker)).toMatchObject({ Key: 'x', DeleteMarkerVersionId: DeleteMarkers[0]!.VersionId });
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });

  it('uses the "null" version once versioning is suspended, keeping the versions made before', async () => {
    const Bucket = await versionedBucket();
    const kept = await s3.send(new PutObjectCommand({ Bucket, Key: 's', Body: 'versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const n1 = await s3.send(new PutObjectCommand({ Bucket, Key: 's', Body: 'null one' }));
    const n2 = await s3.send(new PutObjectCommand({ Bucket, Key: 's', Body: 'null two' }));
    expect([n1.VersionId, n2.VersionId]).toEqual(['null', 'null']);
    const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(Versions?.map((v) => v.VersionId)).toEqual(['null', kept.VersionId]);
    expect(await text(Bucket, 's', 'null')).toBe('null two');
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 's' }));
    expect(del).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(after.Versions?.map((v) => v.VersionId)).toEqual([kept.VersionId]);
    expect(after.DeleteMarkers?.map((v) => v.VersionId)).toEqual(['null']);
  });

  it('reports no version ids in a bucket that never had versioning', async () => {
    const Bucket = await newBucket(s3);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'p', Body: '1' }));
    expect(put.VersionId).toBeUndefined();
    const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(Versions?.map((v) => v.VersionId)).toEqual(['null']);
  });
});
