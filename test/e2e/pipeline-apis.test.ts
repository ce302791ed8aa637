/**
 * The whole pipeline on the local AWS, built through the service APIs (no CloudFormation): bucket with
 * a notification, queues with redrive, tables, the real bundled processor, an event source mapping.
 */
import { CreateTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CreateQueueCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { eventually, processorZip, shipmentsJson } from '../helpers/pipeline.js';
import { ADMIN_HEADERS } from '../../src/local/admin.js';

let local: LocalHarness;
let s3: S3Client;
let sqs: SQSClient;
let ddb: DynamoDBClient;
let logs: CloudWatchLogsClient;
const BUCKET = 'pipeline-uploads';
const FN = 'pipeline-processor';
let dlqArn = '';
let queueArn = '';

beforeAll(async () => {
  local = await startLocal();
  s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  sqs = new SQSClient(local.clientConfig);
  ddb = new DynamoDBClient(local.clientConfig);
  logs = new CloudWatchLogsClient(local.clientConfig);
  const lambda = new LambdaClient(local.clientConfig);

  // arrange: the pipeline's resources, as the stack defines them (short timeouts for the test)
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'pipeline-dlq' }));
  dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const queue = await sqs.send(new CreateQueueCommand({
    QueueName: 'pipeline-ingest',
    Attributes: { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
  }));
  queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({
    Bucket: BUCKET,
    NotificationConfiguration: {
      QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } } }],
    },
  }));

  for (const [TableName, pk, sk] of [['pipeline-metadata', 'filename', 'upload_timestamp'], ['pipeline-events', 'shipment_id', 'event_key']] as const) {
    await ddb.send(new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: 'S' }, { AttributeName: sk, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }, { AttributeName: sk, KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }

  await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/${FN}` }));
  await lambda.send(new CreateFunctionCommand({
    FunctionName: FN,
    Runtime: 'nodejs22.x',
    Role: 'arn:aws:iam::000000000000:role/pipeline',
    Handler: 'index.handler',
    Code: { ZipFile: await processorZip() },
    Timeout: 5, // AWS requires the queue's visibility timeout to be at least the function's
    MemorySize: 512,
    LoggingConfig: { LogFormat: 'JSON' },
    Environment: { Variables: { METADATA_TABLE: 'pipeline-metadata', EVENTS_TABLE: 'pipeline-events', TAP_ENV: 'e2e', POWERTOOLS_SERVICE_NAME: 'shipment-processor' } },
  }));
  await lambda.send(new CreateEventSourceMappingCommand({
    FunctionName: FN,
    EventSourceArn: queueArn,
    BatchSize: 5,
    MaximumBatchingWindowInSeconds: 0,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  }));
}, 120_000);

afterAll(() => local?.stop());

const metadataOf = (filename: string) =>
  ddb.send(new QueryCommand({
    TableName: 'pipeline-metadata',
    KeyConditionExpression: 'filename = :f',
    ExpressionAttributeValues: { ':f': { S: filename } },
  }));

describe('the pipeline on the local AWS, built through the APIs', () => {
  it('processes an upload: metadata item, processed output, shipment events and log lines', async () => {
    // act: upload as `tap upload` will, with lib-storage
    const key = 'incoming/batch one.json';
    await new Upload({ client: s3, params: { Bucket: BUCKET, Key: key, Body: shipmentsJson(25) } }).done();

    // assert
    const item = await eventually(async () => (await metadataOf(key)).Items?.[0], { what: 'the metadata item' });
    expect(item.processing_status?.S).toBe('SUCCESS');
    expect(item.records_processed?.N).toBe('25');
    expect(item.records_rejected?.N).toBe('0');
    expect(item.version_id?.S).toBeTruthy();

    const processed = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'processed/batch one.json.ndjson' }));
    expect((await processed.Body!.transformToString()).trim().split('\n')).toHaveLength(25);

    const events = await ddb.send(new QueryCommand({
      TableName: 'pipeline-events',
      KeyConditionExpression: 'shipment_id = :s',
      ExpressionAttributeValues: { ':s': { S: 'SH00003' } },
    }));
    expect(events.Items).toHaveLength(1);

    const lines = await eventually(async () => {
      const found = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FN}`, filterPattern: '"file processed"' }));
      return found.events?.length ? found.events : undefined;
    }, { what: 'the processing log line' });
    expect(lines[0]!.message).toContain('batch one.json');
  });

  it('dead-letters a file whose processing fails transiently, and brings it back with a message move task', async () => {
    // arrange: DynamoDB throttles every call for a while (more than the SDK's retries can absorb)
    await injectFault(local.endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 1000 });
    const key = 'incoming/throttled.json';
    await new Upload({ client: s3, params: { Bucket: BUCKET, Key: key, Body: shipmentsJson(3, 'TH') } }).done();

    // assert: after maxReceiveCount (2) receives it is in the DLQ, and nothing was recorded
    await eventually(async () => {
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl(), AttributeNames: ['ApproximateNumberOfMessages'] }));
      return Number(attrs.Attributes!.ApproximateNumberOfMessages) >= 1 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the message in the DLQ' });
    expect((await metadataOf(key)).Items).toEqual([]);

    // act: the throttling ends; redrive the DLQ back to its source
    await fetch(`${local.endpoint}/_tap/faults`, { method: 'DELETE', headers: ADMIN_HEADERS });
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));

    // assert: the file is processed, once
    const item = await eventually(async () => (await metadataOf(key)).Items?.[0], { timeoutMs: 30_000, what: 'the redriven file' });
    expect(item.processing_status?.S).toBe('SUCCESS');
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(tasks.Results?.[0]?.ApproximateNumberOfMessagesMoved).toBe(1);
  });
});

function dlqUrl(): string {
  return `${local.endpoint}/000000000000/pipeline-dlq`;
}
