import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
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
