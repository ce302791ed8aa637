import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../helpers/lambda.js';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { newBucket, s3Client } from './s3-fixtures.js';
import { newQueue, sqsClient } from './sqs-fixtures.js';

let local: LocalHarness;
let s3: S3Client;
let sqs: SQSClient;
beforeAll(async () => {
  local = await startLocal();
  s3 = s3Client(local);
  sqs = sqsClient(local);
});
afterAll(() => local.stop());

/** Receives (and deletes) messages until `count` arrived or `seconds` passed. */
async function receive(url: string, count: number, seconds = 5): Promise<Array<Record<string, any>>> {
  const bodies: Array<Record<string, any>> = [];
  const deadline = Date.now() + seconds * 1000;
  while (bodies.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages) {
      bodies.push(JSON.parse(m.Body!));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return bodies;
}

async function configure(Bucket: string, config: NotificationConfiguration) {
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: config }));
}

describe('S3 event notifications', () => {
  it('sends s3:TestEvent on configuration, then ObjectCreated:Put in S3 event structure 2.1, key URL-encoded', async () => {
    const queue = await newQueue(sqs, 's3-events');
    const Bucket = await newBucket(s3, 'notify');
    await configure(Bucket, {
      QueueConfigurations: [{ QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } } }],
    });

    const [test] = await receive(queue.url, 1);
    expect(Object.keys(test!)).toEqual(['Service', 'Event', 'Time', 'Bucket', 'RequestId', 'HostId']);
    expect(test).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket });
    expect(test!.Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const stored = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    const [config] = stored.QueueConfigurations!;
    expect(config).toMatchObject({ QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'incoming/' }] } } });
    expect(config!.Id).toBeTruthy();

    const Key = 'incoming/shipments 2026 ü+(1)~.csv';
    await s3.send(new PutObjectCommand({ Bucket, Key: 'elsewhere/ignored.csv', Body: 'no event' }));
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'a,b\n1,2\n' }));
    const [event] = await receive(queue.url, 1);
    expect(event!.Records).toHaveLength(1);
    const record = event!.Records[0];
    expect(record).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:test' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': put.$metadata.requestId, 'x-amz-id-2': put.$metadata.extendedRequestId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: config!.Id,
        bucket: { name: Bucket, ownerIdentity: { principalId: expect.any(String) }, arn: `arn:aws:s3:::${Bucket}` },
        object: {
          key: 'incoming/shipments+2026+%C3%BC%2B%281%29%7E.csv',
          size: 8,
          eTag: put.ETag!.replace(/"/g, ''),
          sequencer: expect.stringMatching(/^[0-9A-F]{18}$/),
        },
      },
    });
    // Consumers decode the key the way AWS documents: form-decoding gives back the real key.
    expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe(Key);
    expect(await receive(queue.url, 1, 1)).toEqual([]); // the put outside the prefix sent nothing
  });

  it('reports copies, multipart completions, deletes and delete markers, with version ids and increasing sequencers', async () => {
    const queue = await newQueue(sqs, 's3-all');
    const Bucket = await newBucket(s3, 'notify');
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await configure(Bucket, { QueueConfigurations: [{ QueueArn: queue.arn, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] }] });
    await receive(queue.url, 1); // the test event

    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/k` }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'mpu', UploadId, PartNumber: 1, Body: 'tiny' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag!, ChecksumCRC32: part.ChecksumCRC32! }] } }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }));

    const records = (await receive(queue.url, 5)).map((e) => e.Records[0]);
    const byName = (name: string) => records.filter((r) => r.eventName === name);
    expect(records.map((r) => r.eventName).sort()).toEqual(
      ['ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload', 'ObjectCreated:Put', 'ObjectRemoved:Delete', 'ObjectRemoved:DeleteMarkerCreated'].sort(),
    );
    expect(byName('ObjectCreated:Put')[0].s3.object).toMatchObject({ key: 'k', versionId: v1.VersionId, size: 3 });
    expect(byName('ObjectCreated:CompleteMultipartUpload')[0].s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
    const removedMarker = byName('ObjectRemoved:DeleteMarkerCreated')[0].s3.object;
    expect(removedMarker).toEqual({ key: 'k', versionId: marker.VersionId, sequencer: expect.any(String) });
    const removed = byName('ObjectRemoved:Delete')[0].s3.object;
    expect(removed).toEqual({ key: 'k', versionId: v1.VersionId, sequencer: expect.any(String) });
    const sequencers = records.filter((r) => r.s3.object.key === 'k').map((r) => r.s3.object.sequencer);
    expect([...sequencers].sort()).toEqual(sequencers.sort()); // same width, so string order is numeric order
    expect(new Set(sequencers).size).toBe(3);
  });

  it('delivers an event twice when the duplicate-delivery fault is set (at-least-once, as S3 may)', async () => {
    const queue = await newQueue(sqs, 's3-dup');
    const Bucket = await newBucket(s3, 'notify');
    await configure(Bucket, { QueueConfigurations: [{ QueueArn: queue.arn, Events: ['s3:ObjectCreated:Put'] }] });
    await receive(queue.url, 1);
    await injectFault(local.endpoint, { service: 's3', kind: 'duplicate-delivery', operation: 'PutObject' });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'twice', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'x' }));
    const keys = (await receive(queue.url, 3)).map((e) => e.Records[0].s3.object.key);
    expect(keys.sort()).toEqual(['once', 'twice', 'twice']);
  });

  it('invokes a Lambda function asynchronously with the event', async () => {
    const lambda = new LambdaClient({ ...local.clientConfig, maxAttempts: 1 });
    const results = await newQueue(sqs, 's3-lambda-results');
    const fn = await createFunction(lambda, `s3-${Date.now().toString(36)}`, { 'index.mjs': 'export const handler = async (event) => event;' });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn.FunctionName, DestinationConfig: { OnSuccess: { Destination: results.arn } } }));
    const Bucket = await newBucket(s3, 'notify');
    await configure(Bucket, { LambdaFunctionConfigurations: [{ Id: 'to-fn', LambdaFunctionArn: fn.FunctionArn, Events: ['s3:ObjectCreated:*'] }] });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'for lambda.txt', Body: 'x' }));
    const [invocation] = await receive(results.url, 1, 15);
    expect(invocation!.responsePayload.Records[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { configurationId: 'to-fn', bucket: { name: Bucket }, object: { key: 'for+lambda.txt', size: 1 } },
    });
  });

  it('validates configurations: destinations must exist, events must be known, configurations must not overlap', async () => {
    const queue = await newQueue(sqs, 's3-valid');
    const Bucket = await newBucket(s3, 'notify');
    const missing = queue.arn.replace(/[^:]+$/, 'no-such-queue');
    await expect(configure(Bucket, { QueueConfigurations: [{ QueueArn: missing, Events: ['s3:ObjectCreated:*'] }] })).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: 'Unable to validate the following destination configurations',
    });
    await expect(configure(Bucket, { QueueConfigurations: [{ QueueArn: queue.arn, Events: ['s3:ObjectMangled:*' as never] }] })).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(
      configure(Bucket, {
        QueueConfigurations: [
          { QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } } },
          { QueueArn: queue.arn, Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/b/' }] } } },
        ],
      }),
    ).rejects.toMatchObject({ name: 'InvalidArgument', message: expect.stringContaining('Configurations overlap') });
    // Disjoint prefixes do not overlap.
    await configure(Bucket, {
      QueueConfigurations: [
        { Id: 'a', QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } } },
        { Id: 'b', QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'b/' }] } } },
      ],
      LambdaFunctionConfigurations: [{ Id: 'fn', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', Events: ['s3:ObjectRemoved:*'] }],
    });
    const stored = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    expect(stored.QueueConfigurations?.map((c) => c.Id)).toEqual(['a', 'b']);
    expect(stored.LambdaFunctionConfigurations).toEqual([{ Id: 'fn', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', Events: ['s3:ObjectRemoved:*'] }]);
    // The pipeline's layout: incoming/ and pod/ each to their own queue is fine; a third configuration
    // for the whole bucket (or for pod/photos/) would share keys with both, and S3 says so exactly.
    const pod = await newQueue(sqs, 's3-pod');
    const pipeline = [
      { Id: 'ingest', QueueArn: queue.arn, Events: ['s3:ObjectCreated:*' as const], Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'incoming/' }] } } },
      { Id: 'pod', QueueArn: pod.arn, Events: ['s3:ObjectCreated:*' as const], Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'pod/' }] } } },
    ];
    await configure(Bucket, { QueueConfigurations: pipeline });
    for (const extra of [{ Id: 'all', QueueArn: pod.arn, Events: ['s3:ObjectCreated:Put' as const] }, { Id: 'sub', QueueArn: queue.arn, Events: ['s3:ObjectCreated:*' as const], Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'pod/photos/' }] } } }]) {
      await expect(configure(Bucket, { QueueConfigurations: [...pipeline, extra] })).rejects.toMatchObject({
        name: 'InvalidArgument',
        message: 'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
      });
    }
    // The refused configuration left the stored one as it was.
    expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).QueueConfigurations?.map((c) => c.Id)).toEqual(['ingest', 'pod']);
    // An empty configuration turns notifications off.
    await configure(Bucket, {});
    expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).QueueConfigurations).toBeUndefined();
  });
});
