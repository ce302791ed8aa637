/**
 * The pipeline's resources on the local AWS, created through the service APIs with the names and
 * settings of the stack (no CloudFormation needed), and the `Pipeline` + `Clients` that tap's operations
 * take. `withProcessor` adds the real bundled processor and its event source mapping.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { OUTPUT, STATUS_INDEX } from '../../src/handlers/contract.js';
import { type Clients, createClients } from '../../src/ops/clients.js';
import { type Pipeline, pipelineFromOutputs } from '../../src/ops/pipeline.js';
import type { ProgressEvent, Reporter } from '../../src/ops/reporter.js';
import type { LocalHarness } from './local.js';
import { processorZip } from './pipeline.js';

export interface OpsPipeline {
  readonly pipeline: Pipeline;
  readonly outputs: Record<string, string>;
  readonly clients: Clients;
  readonly functionName: string;
}

export interface PipelineSettings {
  /** Add the processor function and the SQS event source mapping. */
  readonly withProcessor?: boolean;
  /** Receives before a message is dead-lettered. */
  readonly maxReceiveCount?: number;
  /** Seconds; also the function's timeout (the local Lambda wants visibility ≥ timeout). */
  readonly visibilityTimeout?: number;
}

/** Creates `tap-<env>-…` resources as TapStack names them. */
export async function createOpsPipeline(local: Pick<LocalHarness, 'endpoint' | 'clientConfig'>, env: string, settings: PipelineSettings = {}): Promise<OpsPipeline> {
  const config = local.clientConfig;
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sqs = new SQSClient(config);
  const ddb = new DynamoDBClient(config);
  const logs = new CloudWatchLogsClient(config);
  const bucket = `tap-${env}-uploads`;
  const metadataTable = `tap-${env}-metadata`;
  const eventsTable = `tap-${env}-shipment-events`;
  const functionName = `tap-${env}-processor`;
  const logGroup = `/aws/lambda/${functionName}`;
  const visibility = settings.visibilityTimeout ?? 3;

  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `tap-${env}-ingest-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }))).QueueUrl!;
  const dlqArn = await arnOf(sqs, dlqUrl);
  const queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `tap-${env}-ingest`,
        Attributes: { VisibilityTimeout: String(visibility), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: settings.maxReceiveCount ?? 2 }) },
      }),
    )
  ).QueueUrl!;
  const queueArn = await arnOf(sqs, queueUrl);

  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } } }] },
    }),
  );

  await ddb.send(
    new CreateTableCommand({
      TableName: metadataTable,
      AttributeDefinitions: [
        { AttributeName: 'filename', AttributeType: 'S' },
        { AttributeName: 'upload_timestamp', AttributeType: 'S' },
        { AttributeName: 'processing_status', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'filename', KeyType: 'HASH' },
        { AttributeName: 'upload_timestamp', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: STATUS_INDEX,
          KeySchema: [
            { AttributeName: 'processing_status', KeyType: 'HASH' },
            { AttributeName: 'upload_timestamp', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ddb.send(
    new CreateTableCommand({
      TableName: eventsTable,
      AttributeDefinitions: [
        { AttributeName: 'shipment_id', AttributeType: 'S' },
        { AttributeName: 'event_key', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'shipment_id', KeyType: 'HASH' },
        { AttributeName: 'event_key', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));

  if (settings.withProcessor) {
    const lambda = new LambdaClient(config);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/processor',
        Handler: 'index.handler',
        Code: { ZipFile: await processorZip() },
        Timeout: visibility,
        MemorySize: 512,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        Environment: { Variables: { METADATA_TABLE: metadataTable, EVENTS_TABLE: eventsTable, TAP_ENV: env, POWERTOOLS_SERVICE_NAME: 'shipment-processor' } },
      }),
    );
    await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: queueArn, BatchSize: 5, MaximumBatchingWindowInSeconds: 0, FunctionResponseTypes: ['ReportBatchItemFailures'] }),
    );
    lambda.destroy();
  }
  for (const client of [s3, sqs, ddb, logs]) client.destroy();

  const outputs = {
    [OUTPUT.bucket]: bucket,
    [OUTPUT.queueUrl]: queueUrl,
    [OUTPUT.queueArn]: queueArn,
    [OUTPUT.dlqUrl]: dlqUrl,
    [OUTPUT.dlqArn]: dlqArn,
    [OUTPUT.functionName]: functionName,
    [OUTPUT.logGroup]: logGroup,
    [OUTPUT.metadataTable]: metadataTable,
    [OUTPUT.statusIndex]: STATUS_INDEX,
    [OUTPUT.eventsTable]: eventsTable,
  };
  const clients = createClients({ kind: 'endpoint', endpoint: local.endpoint, region: config.region, credentials: config.credentials, description: `${local.endpoint} (test)` });
  return { pipeline: pipelineFromOutputs(env, outputs, 'stack'), outputs, clients, functionName };
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
}

/** A reporter that keeps the events, for assertions. */
export function recordingReporter(): Reporter & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return { events, emit: (e) => void events.push(e) };
}

/**
 * A stack named as `tap deploy` names it, whose only resource is a placeholder and whose outputs name
 * the resources made through the APIs: so the real CLI finds them with DescribeStacks, as after a deploy.
 */
export async function registerStack(local: Pick<LocalHarness, 'clientConfig'>, env: string, outputs: Record<string, string>): Promise<void> {
  const { CloudFormationClient, CreateStackCommand, waitUntilStackCreateComplete } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient(local.clientConfig);
  const template = {
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
  };
  await cfn.send(new CreateStackCommand({ StackName: `TapStack-${env}`, TemplateBody: JSON.stringify(template) }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: `TapStack-${env}` });
  cfn.destroy();
}
