/**
 * The template `tap synth --env dev` writes, unmodified, deployed with a plain CreateStack call on the
 * local AWS (assets published to the asset bucket as the manifest says); the pipeline it creates then
 * processes an upload; DeleteStack removes every resource.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../src/infra/app.js';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { eventually, shipmentsJson } from '../helpers/pipeline.js';
import { deleteStack, describe as describeStack, fast, output, publishAssets } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;
let s3: S3Client;
const STACK = 'TapStack-dev';

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
  s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
}, 120_000);
afterAll(() => local?.stop());

describe('the tap stack on the local CloudFormation', () => {
  it('deploys with CreateStack, processes an upload end to end, and deletes every resource', async () => {
    // arrange: synthesize as `tap synth --env dev` does, and publish the assets as the manifest says
    const synth = await synthesize({ envName: 'dev', outDir: mkdtempSync(join(tmpdir(), 'tap-cfn-synth-')) });
    await publishAssets(s3, synth.assetManifestFile, { account: '000000000000', region: 'us-east-1' });
    const manifest = JSON.parse(readFileSync(synth.assetManifestFile, 'utf8'));
    const templateAsset = Object.values(manifest.files as Record<string, any>).find((f) => f.source.packaging === 'file')!;
    const destination = Object.values(templateAsset.destinations as Record<string, any>)[0];
    const templateUrl = `${local.endpoint}/tap-assets-000000000000-us-east-1/${destination.objectKey}`;

    // act: a plain CreateStack, by TemplateURL
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: STACK, TemplateURL: templateUrl, Capabilities: ['CAPABILITY_IAM'] }));
    await waitUntilStackCreateComplete({ client: cfn, ...fast, maxWaitTime: 120 }, { StackName: StackId });

    // assert: every resource created, outputs as AWS would give them
    const stack = await describeStack(cfn, STACK);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(output(stack, 'UploadBucketName')).toBe('tap-dev-uploads-000000000000-us-east-1');
    expect(output(stack, 'IngestQueueUrl')).toBe(`${local.endpoint}/000000000000/tap-dev-ingest`);
    expect(output(stack, 'AlarmTopicArn')).toBe('arn:aws:sns:us-east-1:000000000000:tap-dev-alarms');
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: STACK }));
    const template = synth.template as { Resources: Record<string, unknown> };
    expect(StackResourceSummaries).toHaveLength(Object.keys(template.Resources).length);
    expect(StackResourceSummaries!.every((r) => r.ResourceStatus === 'CREATE_COMPLETE')).toBe(true);
    const alarms = await new CloudWatchClient(local.clientConfig).send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'tap-dev-' }));
    expect(alarms.MetricAlarms?.map((a) => a.AlarmName).sort()).toEqual([
      'tap-dev-big-file-runs-failed',
      'tap-dev-deliveries-failed',
      'tap-dev-dlq-not-empty',
      'tap-dev-file-failure-rate',
      'tap-dev-pod-dlq-not-empty',
      'tap-dev-pod-processor-errors',
      'tap-dev-processor-errors',
      'tap-dev-processor-slow',
    ]);

    // act: the pipeline processes an upload
    const bucket = output(stack, 'UploadBucketName')!;
    const table = output(stack, 'MetadataTableName')!;
    const ddb = new DynamoDBClient(local.clientConfig);
    const key = 'incoming/deployed.json';
    await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: shipmentsJson(10) } }).done();
    const item = await eventually(
      async () => (await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': { S: key } } }))).Items?.[0],
      { what: 'the metadata item', timeoutMs: 45_000 },
    );
    expect(item.processing_status?.S).toBe('SUCCESS');
    expect(item.records_processed?.N).toBe('10');
    const processed = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'processed/deployed.json.ndjson' }));
    expect((await processed.Body!.transformToString()).trim().split('\n')).toHaveLength(10);

    // act: empty the versioned bucket (it is not auto-deleted), then DeleteStack
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, VersionId: v.VersionId! }));
    }
    await deleteStack(cfn, STACK);

    // assert: nothing of the stack is left
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['tap-assets-000000000000-us-east-1']);
    expect((await new SQSClient(local.clientConfig).send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    const lambda = new LambdaClient(local.clientConfig);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).toEqual([]);
    expect((await new SNSClient(local.clientConfig).send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    expect((await new IAMClient(local.clientConfig).send(new ListRolesCommand({}))).Roles).toEqual([]);
    expect((await new CloudWatchClient(local.clientConfig).send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });
});
