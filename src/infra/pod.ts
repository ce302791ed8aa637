import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib/core';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, POD_SERVICE_NAME, PREFIX } from '../handlers/contract.js';
import { functionLogGroup, nodeFunction, notifiedQueue } from './parts.js';

export interface PodPipelineProps {
  readonly envName: string;
  /** Folder with the bundled pod processor (index.mjs). */
  readonly codeDir: string;
  readonly bucket: CfnBucket;
  readonly bucketArn: string;
  readonly sourceAccount: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly metadata: Table;
  readonly events: Table;
  readonly alarmTopic: Topic;
  readonly maxReceiveCount: number;
}

// From bench/pod.ts: a 4 MB 12-megapixel JPEG peaks at 224 MB and takes ~1.4 s of CPU (one core) with
// libjpeg in WebAssembly; jpeg-js, still the fallback for CMYK JPEGs, 496 MB and ~4.8 s, and near
// 0.9 GB at the 24 MP cap (sniff.ts). 1536 MB holds the worst case, and buys ~0.87 vCPU (Lambda gives
// CPU in proportion to memory): ~2 s per 12 MP photo, ~12 s for a 24 MP CMYK one, well inside 60 s.
const MEMORY_MB = 1536;
const TIMEOUT = Duration.seconds(60);

/**
 * Proof-of-delivery photos: `pod/` → its own queue (and DLQ) → the pod processor, which writes
 * thumbnails and POD events. Its notification is added to the bucket's configuration next to the
 * ingest queue's; the prefixes are disjoint, as S3 requires for configurations sharing an event type.
 */
export class PodPipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly fn: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PodPipelineProps) {
    super(scope, id);
    const functionName = `tap-${props.envName}-pod-processor`;

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = notifiedQueue(this, {
      queueName: `tap-${props.envName}-pod`,
      deadLetterQueueName: `tap-${props.envName}-pod-dlq`,
      visibilityTimeout: Duration.seconds(TIMEOUT.toSeconds() * 6),
      maxReceiveCount: props.maxReceiveCount,
      bucket: props.bucket,
      bucketArn: props.bucketArn,
      sourceAccount: props.sourceAccount,
      prefix: PREFIX.pod,
    }));

    this.logGroup = functionLogGroup(this, 'LogGroup', functionName, { retention: props.logRetentionDays, removalPolicy: props.logRemovalPolicy });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `tap ${props.envName}: proof-of-delivery photo processor`,
      inlinePolicies: { podProcessor: this.policy(props) },
    });
    this.fn = nodeFunction(this, 'Function', {
      functionName,
      description: 'tap: reads proof-of-delivery photos, writes thumbnails and POD events',
      codeDir: props.codeDir,
      memorySize: MEMORY_MB,
      timeout: TIMEOUT,
      role,
      logGroup: this.logGroup,
      powertools: { service: POD_SERVICE_NAME, envName: props.envName },
      environment: {
        [ENV.metadataTable]: props.metadata.tableName,
        [ENV.eventsTable]: props.events.tableName,
        [ENV.environment]: props.envName,
      },
    });
    // One photo per invocation: the time-out and memory are sized for one 12-megapixel decode.
    this.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }));

    this.alarms(props);
    this.acknowledge(props.envName, role);
  }

  private policy(props: PodPipelineProps): PolicyDocument {
    const objects = (prefix: string) => `${props.bucketArn}/${prefix}*`;
    return new PolicyDocument({
      statements: [
        new PolicyStatement({ sid: 'ReadPhotos', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects(PREFIX.pod)] }),
        new PolicyStatement({ sid: 'WriteThumbnailsAndQuarantine', actions: ['s3:PutObject'], resources: [objects(PREFIX.thumbnails), objects(PREFIX.quarantine)] }),
        new PolicyStatement({ sid: 'RecordFileMetadata', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.metadata.tableArn] }),
        new PolicyStatement({ sid: 'WriteShipmentEvents', actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], resources: [props.events.tableArn] }),
        new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      ],
    });
  }

  private alarms(props: PodPipelineProps): void {
    const prefix = `tap-${props.envName}`;
    const add = (id: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) =>
      new Alarm(this, id, { treatMissingData: TreatMissingData.NOT_BREACHING, ...alarmProps }).addAlarmAction(new SnsAction(props.alarmTopic));
    add('ErrorsAlarm', {
      alarmName: `${prefix}-pod-processor-errors`,
      alarmDescription: 'The pod processor threw at least once in 5 minutes.',
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    add('DeadLettersAlarm', {
      alarmName: `${prefix}-pod-dlq-not-empty`,
      alarmDescription: 'Photo messages are waiting in the pod dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  /** The cdk-nag findings accepted for these resources, each with its reason (as nag-suppressions.ts does). */
  private acknowledge(envName: string, role: Role): void {
    const bucketPattern = `arn:<AWS::Partition>:s3:::tap-${envName}-uploads-<AWS::AccountId>-<AWS::Region>`;
    for (const prefix of [PREFIX.pod, PREFIX.thumbnails, PREFIX.quarantine]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketPattern}/${prefix}*]`,
        reason: `Objects under ${prefix} have user-chosen keys; the grant is limited to that prefix and to named actions.`,
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the pod dead-letter queue; its messages are photos to look at and send again.',
    });
    Validations.of(this.fn).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: "Invoked synchronously by its SQS event source mapping only; failed messages dead-letter through the pod queue's redrive policy.",
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: 'On-failure destinations are not supported for SQS event sources; the pod queue redrives failed messages to its DLQ.',
      },
    );
  }
}
