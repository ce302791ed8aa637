import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startLocal } from '../helpers/local.js';
import { bodyBytes, s3Client } from './s3-fixtures.js';
import { newQueue, sqsClient } from './sqs-fixtures.js';

describe('S3 across a restart', () => {
  it('keeps buckets, configurations, objects, versions, tags and uploads in progress', async () => {
    // Arrange: state of every kind, then a stop.
    const first = await startLocal();
    let s3 = s3Client(first);
    const sqs = sqsClient(first);
    const queue = await newQueue(sqs, 'restart-events');
    const Bucket = 'durable-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: '{"Version":"2012-10-17","Statement":[]}' }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } }] } }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { QueueConfigurations: [{ Id: 'q', QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'] }] } }));
    const binary = randomBytes(200_000);
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'first', Tagging: 'kept=yes' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'second' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'bin', Body: binary }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'gone', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'gone' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'later' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'later', UploadId, PartNumber: 1, Body: 'part one' }));
    await first.stop();

    // Act: a new process on the same data dir.
    const second = await startLocal({ dataDir: first.dataDir });
    s3 = s3Client(second);
    try {
      // Assert
      await expect(s3.send(new HeadBucketCommand({ Bucket }))).resolves.toBeDefined();
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe('{"Version":"2012-10-17","Statement":[]}');
      expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules?.[0]?.ID).toBe('r');
      expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).QueueConfigurations?.[0]?.QueueArn).toBe(queue.arn);

      const text = async (Key: string, VersionId?: string) => (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body)).toString();
      expect(await text('doc')).toBe('second');
      expect(await text('doc', v1.VersionId)).toBe('first');
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'doc', VersionId: v1.VersionId }))).TagSet).toEqual([{ Key: 'kept', Value: 'yes' }]);
      expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'bin', ChecksumMode: 'ENABLED' }))).Body)).equals(binary)).toBe(true);
      await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'gone' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
      expect(versions.Versions?.map((v) => v.Key)).toEqual(['bin', 'doc', 'doc', 'gone']);
      expect(versions.DeleteMarkers?.map((m) => m.VersionId)).toEqual([marker.VersionId]);

      // The upload in progress carries on where it was.
      expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
      await s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key: 'later', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag!, ChecksumCRC32: part.ChecksumCRC32! }] },
      }));
      expect(await text('later')).toBe('part one');

      // Notifications still flow after the restart.
      const sqs2 = sqsClient(second);
      const bodies: string[] = [];
      for (let i = 0; i < 10 && !bodies.some((b) => b.includes('CompleteMultipartUpload')); i++) {
        const { Messages = [] } = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        bodies.push(...Messages.map((m) => m.Body!));
      }
      expect(bodies.some((b) => b.includes('"eventName":"ObjectCreated:CompleteMultipartUpload"'))).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('reads a bucket written in the older layout (metadata and body in two files) and converts it once', async () => {
    // Arrange: a bucket as the previous layout left it, written file by file: meta/<key hash>.<version id>.json
    // with the version, data/<id> with the body; and a body whose metadata never landed.
    const first = await startLocal();
    await s3Client(first).send(new CreateBucketCommand({ Bucket: 'old' }));
    await s3Client(first).send(new PutBucketVersioningCommand({ Bucket: 'old', VersioningConfiguration: { Status: 'Enabled' } }));
    await first.stop();
    const bucketDir = join(first.dataDir, 's3', 'buckets', 'old');
    const [v1, v2, v3, marker] = ['1', '2', '3', '4'].map((c) => c.repeat(32));
    const legacy = (version: Record<string, unknown>, body?: string) => {
      mkdirSync(join(bucketDir, 'meta'), { recursive: true });
      mkdirSync(join(bucketDir, 'data'), { recursive: true });
      const hash = createHash('sha256').update(String(version['key'])).digest('hex').slice(0, 40);
      const record = { size: 0, etag: '', headers: {}, metadata: {}, lastModified: '2026-01-02T03:04:05.000Z', ...version };
      if (body !== undefined) writeFileSync(join(bucketDir, 'data', String(version['data'])), body);
      writeFileSync(join(bucketDir, 'meta', `${hash}.${String(version['versionId'])}.json`), JSON.stringify(record));
      return record;
    };
    const etag = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;
    legacy({ key: 'doc', versionId: v1, seq: 1, size: 5, etag: etag('first'), data: 'a'.repeat(32), tags: [{ Key: 'kept', Value: 'yes' }] }, 'first');
    const docV1Meta = readdirSync(join(bucketDir, 'meta'))[0]!;
    legacy({ key: 'doc', versionId: v2, seq: 2, size: 12, etag: etag('second body'), data: 'b'.repeat(32), headers: { contentType: 'text/plain' }, metadata: { owner: 'me' } }, 'second body!');
    legacy({ key: 'gone', versionId: v3, seq: 3, size: 1, etag: etag('x'), data: 'c'.repeat(32) }, 'x');
    legacy({ key: 'gone', versionId: marker, seq: 4, deleteMarker: true });
    writeFileSync(join(bucketDir, 'data', 'd'.repeat(32)), 'orphan');

    // Act
    const second = await startLocal({ dataDir: first.dataDir });
    const s3 = s3Client(second);
    try {
      // Assert: every version, its metadata and tags, ranges from the body alone
      const Bucket = 'old';
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc' }));
      expect(await bodyBytes(got.Body)).toEqual(Buffer.from('second body!'));
      expect(got).toMatchObject({ VersionId: v2, ContentType: 'text/plain', Metadata: { owner: 'me' }, ContentLength: 12 });
      const range = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', Range: 'bytes=7-' }));
      expect((await bodyBytes(range.Body)).toString()).toBe('body!');
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'doc', VersionId: v1 }))).ContentLength).toBe(5);
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'doc', VersionId: v1 }))).TagSet).toEqual([{ Key: 'kept', Value: 'yes' }]);
      await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'gone' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
      expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2, v1, v3]);
      expect(versions.DeleteMarkers?.map((m) => m.VersionId)).toEqual([marker]);
      // Converted: one file per version, the old folders and the orphan body gone.
      expect(existsSync(join(bucketDir, 'meta'))).toBe(false);
      expect(existsSync(join(bucketDir, 'data'))).toBe(false);
      expect(readdirSync(join(bucketDir, 'versions'))).toHaveLength(4);
    } finally {
      await second.stop();
    }

    // A crash after a version was converted but before its metadata file went: the next start just removes it.
    legacy({ key: 'doc', versionId: v1, seq: 1, size: 5, etag: etag('first'), data: 'a'.repeat(32) });
    expect(readdirSync(join(bucketDir, 'meta'))).toEqual([docV1Meta]);
    const third = await startLocal({ dataDir: first.dataDir });
    try {
      const versions = await s3Client(third).send(new ListObjectVersionsCommand({ Bucket: 'old' }));
      expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2, v1, v3]);
      expect((await s3Client(third).send(new GetObjectTaggingCommand({ Bucket: 'old', Key: 'doc', VersionId: v1 }))).TagSet).toEqual([{ Key: 'kept', Value: 'yes' }]);
      expect(existsSync(join(bucketDir, 'meta'))).toBe(false);
      expect(third.aws.health().damaged).toEqual([]);
    } finally {
      await third.stop();
    }
  });

  it('after a crash mid-write: keeps the newer of two files of one version, loads a written spare, drops unused and torn spares', async () => {
    // Arrange: what a crash can leave in versions/, made from real writes.
    const first = await startLocal();
    let s3 = s3Client(first);
    const Bucket = 'crashed';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'old' }));
    const versionsDir = join(first.dataDir, 's3', 'buckets', Bucket, 'versions');
    const files = () => readdirSync(versionsDir).filter((f) => !f.endsWith('.spare'));
    const [oldFile] = files();
    const oldBytes = readFileSync(join(versionsDir, oldFile!));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'new' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'spared', Body: 'in a spare' }));
    await first.stop();
    // The overwritten version's file, whose removal never reached the disk.
    writeFileSync(join(versionsDir, oldFile!), oldBytes);
    // A version written into a spare whose rename to its own name never reached the disk.
    const spared = files().find((f) => readFileSync(join(versionsDir, f), 'utf8').includes('"spared"'))!;
    renameSync(join(versionsDir, spared), join(versionsDir, `${spared}.spare`));
    // A spare never used, and one whose write was cut short (never acknowledged).
    writeFileSync(join(versionsDir, `${'e'.repeat(32)}.spare`), '');
    writeFileSync(join(versionsDir, `${'f'.repeat(32)}.spare`), 'half a bo');

    // Act
    const second = await startLocal({ dataDir: first.dataDir });
    s3 = s3Client(second);
    try {
      // Assert
      expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }))).Body)).toString()).toBe('new');
      expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'spared' }))).Body)).toString()).toBe('in a spare');
      expect((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions?.map((v) => v.Key)).toEqual(['k', 'spared']);
      expect(existsSync(join(versionsDir, oldFile!))).toBe(false);
      expect(existsSync(join(versionsDir, `${'e'.repeat(32)}.spare`))).toBe(false);
      expect(existsSync(join(versionsDir, `${'f'.repeat(32)}.spare`))).toBe(false);
      expect(second.aws.health().damaged).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('keeps every acknowledged PUT of a burst larger than the spare pool, small bodies written whole and large ones streamed', async () => {
    // Arrange: more PUTs at once than a bucket keeps spares for, so both kinds of body also take the
    // path without a spare; sizes on either side of the in-memory limit (64 KiB); and small PUTs whose
    // checksum is wrong, which must leave nothing.
    const first = await startLocal();
    let s3 = s3Client(first);
    const Bucket = 'burst';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const sizes = [0, 1, 1024, 64 * 1024, 64 * 1024 + 1, 300_000];
    const bodies = new Map(Array.from({ length: 90 }, (_, i) => [`k/${i}`, randomBytes(sizes[i % sizes.length]!)] as const));
    const bad = Array.from({ length: 6 }, (_, i) => `bad/${i}`);
    const outcomes = await Promise.allSettled([
      ...[...bodies].map(([Key, Body]) => s3.send(new PutObjectCommand({ Bucket, Key, Body }))),
      ...bad.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'not what the checksum says', ChecksumCRC32: 'AAAAAA==' }))),
    ]);
    expect(outcomes.slice(0, bodies.size).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes.slice(bodies.size).map((o) => o.status === 'rejected' && (o.reason as Error).name)).toEqual(bad.map(() => 'BadDigest'));
    await first.stop();

    // Act: a new process on the same data dir.
    const second = await startLocal({ dataDir: first.dataDir });
    s3 = s3Client(second);
    try {
      // Assert: every acknowledged body byte for byte, nothing of the refused ones, nothing damaged.
      for (const [Key, body] of bodies) {
        const got = await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body);
        expect(createHash('sha256').update(got).digest('hex'), Key).toBe(createHash('sha256').update(body).digest('hex'));
      }
      for (const Key of bad) await expect(s3.send(new HeadObjectCommand({ Bucket, Key })), Key).rejects.toMatchObject({ name: 'NotFound' });
      const versionsDir = join(second.dataDir, 's3', 'buckets', Bucket, 'versions');
      expect(readdirSync(versionsDir).filter((f) => !f.endsWith('.spare'))).toHaveLength(bodies.size);
      expect(second.aws.health().damaged).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('delivers notifications left in the outbox by a crash on the next start', async () => {
    const first = await startLocal();
    const queue = await newQueue(sqsClient(first), 'outbox');
    await first.stop();
    // What a crash between the write being acknowledged and its delivery leaves behind.
    const outbox = join(first.dataDir, 's3', 'outbox');
    mkdirSync(outbox, { recursive: true });
    writeFileSync(join(outbox, '0000000000000001.json'), JSON.stringify({ kind: 'queue', arn: queue.arn, body: '{"Records":["pending"]}' }));

    const second = await startLocal({ dataDir: first.dataDir });
    try {
      const { Messages } = await sqsClient(second).send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 5 }));
      expect(Messages?.map((m) => m.Body)).toEqual(['{"Records":["pending"]}']);
    } finally {
      await second.stop();
    }
  });
});
