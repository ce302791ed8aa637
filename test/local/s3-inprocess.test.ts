/**
 * The in-process face of S3 that other services and the CloudFormation engine use: S3Api.getObjectBytes,
 * and the store / notifier they provision buckets through. What they do must be what HTTP clients see.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketLifecycleConfigurationCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAws } from '../../src/local/server.js';
import type { LocalContext } from '../../src/local/service.js';
import type { SqsApi } from '../../src/local/services/contracts.js';
import { ALL_SERVICES } from '../../src/local/services/index.js';
import type { S3Service } from '../../src/local/services/s3/service.js';
import { bodyBytes } from './s3-fixtures.js';

let aws: LocalAws;
let ctx: LocalContext;
let s3: S3Service;
beforeAll(async () => {
  const probe = (c: LocalContext) => ((ctx = c), { name: 'probe', handle: async () => undefined, sendError: () => undefined });
  aws = await new LocalAws({ dataDir: mkdtempSync(join(tmpdir(), 'tap-s3-inprocess-')), port: 0, services: [...ALL_SERVICES, probe] }).start();
  s3 = ctx.service<S3Service>('s3');
});
afterAll(() => aws.stop());

const client = () => new S3Client({ endpoint: aws.endpoint, region: 'eu-west-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 't', secretAccessKey: 't' } });

describe('S3 in process', () => {
  it('creates and configures buckets with the checks S3 applies, visible over HTTP', async () => {
    await expect(s3.store.createBucket('Bad_Name', { region: 'eu-west-1' })).rejects.toMatchObject({ code: 'InvalidBucketName' });
    await s3.store.createBucket('provisioned', { region: 'eu-west-1', objectOwnership: 'BucketOwnerPreferred' });
    await expect(s3.store.createBucket('provisioned', { region: 'eu-west-1' })).rejects.toMatchObject({ code: 'BucketAlreadyOwnedByYou' });
    await expect(s3.store.putBucketConfig('provisioned', 'lifecycle', { Rule: { Status: 'Sometimes' } })).rejects.toMatchObject({ code: 'MalformedXML' });
    await expect(s3.store.putBucketConfig('provisioned', 'policy', '{not json')).rejects.toMatchObject({ code: 'MalformedPolicy' });
    await s3.store.putBucketConfig('provisioned', 'lifecycle', { Rule: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: '7' } }] });
    await s3.store.setVersioning('provisioned', 'Enabled');

    const lifecycle = await client().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'provisioned' }));
    expect(lifecycle.Rules).toEqual([{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } }]);
  });

  it('serves object bytes to other services (S3Api.getObjectBytes) and reports what is missing', async () => {
    await s3.store.createBucket('code-bucket', { region: 'eu-west-1' });
    const written = await s3.store.objects.putBytes('code-bucket', 'fn.zip', Buffer.from('zip bytes'));
    expect((await s3.getObjectBytes('code-bucket', 'fn.zip')).toString()).toBe('zip bytes');
    expect((await s3.getObjectBytes('code-bucket', 'fn.zip', written.versionId)).toString()).toBe('zip bytes');
    await expect(s3.getObjectBytes('code-bucket', 'missing.zip')).rejects.toMatchObject({ code: 'NoSuchKey' });
    await expect(s3.getObjectBytes('no-bucket-here', 'fn.zip')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    const got = await client().send(new GetObjectCommand({ Bucket: 'code-bucket', Key: 'fn.zip' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('zip bytes');
    await expect(s3.store.deleteBucket('code-bucket')).rejects.toMatchObject({ code: 'BucketNotEmpty' });
  });

  it('configures notifications from a template-shaped configuration and sends the queue its test event', async () => {
    const sqs = ctx.service<SqsApi>('sqs');
    const { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const sqsClient = new SQSClient({ endpoint: aws.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const { QueueUrl } = await sqsClient.send(new CreateQueueCommand({ QueueName: 'inprocess-events' }));
    const arn = (await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

    await s3.store.createBucket('with-events', { region: 'eu-west-1' });
    const config = await s3.notifier.configure(
      'with-events',
      { targets: [{ id: '', kind: 'queue', arn, events: ['s3:ObjectCreated:*'], rules: [{ Name: 'prefix' as never, Value: 'incoming/' }] }], eventBridge: false },
      { requestId: 'cfn-request', hostId: 'cloudformation' },
    );
    expect(config.targets[0]).toMatchObject({ rules: [{ Name: 'Prefix', Value: 'incoming/' }], id: expect.any(String) });
    const [test] = await sqs.receiveByArn(arn, { maxMessages: 1, waitSeconds: 5 });
    expect(JSON.parse(test!.body)).toMatchObject({ Event: 's3:TestEvent', Bucket: 'with-events', RequestId: 'cfn-request' });
    await expect(
      s3.notifier.configure('with-events', { targets: [{ id: '', kind: 'queue', arn: `${arn}-gone`, events: ['s3:ObjectCreated:*'], rules: [] }], eventBridge: false }, { requestId: 'r', hostId: 'h' }),
    ).rejects.toMatchObject({ code: 'InvalidArgument', message: 'Unable to validate the following destination configurations' });
  });
});
