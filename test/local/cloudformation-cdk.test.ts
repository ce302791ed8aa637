/**
 * A stock CDK app — a bucket with autoDeleteObjects and an SQS event notification, which makes CDK add
 * its Custom::S3AutoDeleteObjects and Custom::S3BucketNotifications resources — deployed unmodified on
 * the local CloudFormation (CliCredentialsStackSynthesizer: no bootstrap; the test publishes the assets).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CliCredentialsStackSynthesizer, RemovalPolicy, Stack, CfnOutput } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CloudFormationClient, CreateStackCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { deleteStack, describe as describeStack, fast, output, publishAssets } from '../helpers/cloudformation.js';

let local: LocalHarness;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local?.stop());

function stockApp(outdir: string) {
  const app = new App({ outdir });
  const stack = new Stack(app, 'StockApp', {
    synthesizer: new CliCredentialsStackSynthesizer({ fileAssetsBucketName: 'stock-assets-${AWS::AccountId}-${AWS::Region}' }),
  });
  const bucket = new s3.Bucket(stack, 'Uploads', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY, versioned: true });
  const queue = new sqs.Queue(stack, 'Events');
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), { prefix: 'in/' });
  new CfnOutput(stack, 'BucketName', { value: bucket.bucketName });
  new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
  const assembly = app.synth();
  return assembly.getStackByName('StockApp');
}

describe('a stock CDK app on the local CloudFormation', () => {
  it('deploys, receives an event notification, and deletes cleanly (auto-deleting its objects)', async () => {
    // arrange
    const artifact = stockApp(mkdtempSync(join(tmpdir(), 'tap-cdk-app-')));
    const types = Object.values(artifact.template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['Custom::S3AutoDeleteObjects', 'Custom::S3BucketNotifications']));
    const s3client = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    const manifest = artifact.dependencies.find((d) => d.id.endsWith('.assets'))!;
    await publishAssets(s3client, join(artifact.assembly.directory, `${manifest.id}.json`), { account: '000000000000', region: 'us-east-1' });

    // act: deploy
    const cfn = new CloudFormationClient(local.clientConfig);
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'StockApp', TemplateBody: JSON.stringify(artifact.template), Capabilities: ['CAPABILITY_IAM'] }));
    await waitUntilStackCreateComplete({ client: cfn, ...fast }, { StackName: StackId });
    const stack = await describeStack(cfn, 'StockApp');
    const bucket = output(stack, 'BucketName')!;
    const queueUrl = output(stack, 'QueueUrl')!;

    // assert: an upload under in/ reaches the queue as an S3 event (after S3's test event)
    await s3client.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/hello.txt', Body: 'hi' }));
    await s3client.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere.txt', Body: 'not notified' }));
    const sqsClient = new SQSClient(local.clientConfig);
    const bodies: string[] = [];
    for (let i = 0; i < 10 && !bodies.some((b) => b.includes('ObjectCreated')); i++) {
      const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...(Messages ?? []).map((m) => m.Body!));
    }
    expect(bodies.some((b) => JSON.parse(b).Event === 's3:TestEvent')).toBe(true);
    const records = bodies.flatMap((b) => JSON.parse(b).Records ?? []);
    expect(records.map((r: any) => [r.eventName, r.s3.bucket.name, r.s3.object.key])).toEqual([['ObjectCreated:Put', bucket, 'in/hello.txt']]);

    // act: delete, with objects still in the (versioned) bucket
    await deleteStack(cfn, 'StockApp');

    // assert: the bucket was emptied and deleted, the queue is gone
    expect((await s3client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['stock-assets-000000000000-us-east-1']);
    expect((await sqsClient.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  });
});
