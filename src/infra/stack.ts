import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib/core';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { OUTPUT, STATUS_INDEX, metricsNamespace } from '../handlers/contract.js';
import { isProtected, logRetentionDays, stackTags } from './environment.js';
import { BIG_FILE_DEFAULTS, BigFile, processorTimeout } from './big-file.js';
import { Delivery } from './delivery.js';
import { Ingest } from './ingest.js';
import { PartnerApi } from './api.js';
import { Monitoring } from './monitoring.js';
import { acknowledgeAcceptedFindings } from './nag-suppressions.js';
import { PodPipeline } from './pod.js';
import { Processor } from './processor.js';
import { UploadBucket } from './storage.js';
import { Tables } from './tables.js';

export { OUTPUT };

export interface TapStackProps extends StackProps {
  readonly envName: string;
  /** Folder with the bundled processor (see bundle.ts). */
  readonly processorCodeDir: string;
  /** Folder with the bundled API handler. */
  readonly apiCodeDir: string;
  /** Folder with the bundled webhook notifier. */
  readonly notifierCodeDir: string;
  /** Folder with the bundled proof-of-delivery photo processor. */
  readonly podCodeDir: string;
  readonly alarmEmail?: string;
  /** Result delivery (src/infra/delivery.ts): the webhook and the retry policy. */
  readonly webhookUrl?: string;
  readonly deliveryAttempts?: number;
  readonly deliveryIntervalSeconds?: number;
  /** Folder with the bundled big-file handlers. */
  readonly bigFileCodeDir: string;
  /** The big-file path (src/infra/big-file.ts): threshold, map concurrency, tolerated failures. */
  readonly bigFileThresholdBytes?: number;
  readonly bigFileConcurrency?: number;
  readonly bigFileTolerance?: number;
}


const MAX_RECEIVE_COUNT = 3;

/** One pipeline environment: S3 → SQS → Lambda → DynamoDB, with a DLQ, logs, metrics and alarms. */
export class TapStack extends Stack {
  constructor(scope: Construct, id: string, props: TapStackProps) {
    super(scope, id, props);
    const { envName } = props;
    const thresholdBytes = props.bigFileThresholdBytes ?? BIG_FILE_DEFAULTS.thresholdBytes;
    const functionTimeout = processorTimeout(thresholdBytes);
    const keep = isProtected(envName);
    const dataRemoval = keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const uploads = new UploadBucket(this, 'Uploads', { envName, removalPolicy: dataRemoval });
    const tables = new Tables(this, 'Tables', {
      envName,
      removalPolicy: dataRemoval,
      deletionProtection: keep,
    });
    const ingest = new Ingest(this, 'Ingest', {
      envName,
      bucket: uploads.bucket.node.defaultChild as CfnBucket,
      bucketArn: uploads.bucketArn,
      sourceAccount: this.account,
      functionTimeout,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const delivery = new Delivery(this, 'Delivery', {
      envName,
      codeDir: props.notifierCodeDir,
      logRetentionDays: logRetentionDays(envName),
      logRemovalPolicy: dataRemoval,
      secretRemovalPolicy: dataRemoval,
      metadata: tables.metadata,
      ...(props.webhookUrl ? { webhookUrl: props.webhookUrl } : {}),
      ...(props.deliveryAttempts !== undefined ? { attempts: props.deliveryAttempts } : {}),
      ...(props.deliveryIntervalSeconds !== undefined ? { intervalSeconds: props.deliveryIntervalSeconds } : {}),
    });
    const bigFile = new BigFile(this, 'BigFile', {
      envName,
      codeDir: props.bigFileCodeDir,
      logRetentionDays: logRetentionDays(envName),
      logRemovalPolicy: dataRemoval,
      bucket: uploads.bucket,
      bucketArn: uploads.bucketArn,
      metadata: tables.metadata,
      events: tables.events,
      deadLetterQueue: ingest.deadLetterQueue,
      deliveryStateMachine: delivery.stateMachine,
      ...(props.bigFileConcurrency !== undefined ? { maxConcurrency: props.bigFileConcurrency } : {}),
      ...(props.bigFileTolerance !== undefined ? { toleratedFailurePercentage: props.bigFileTolerance } : {}),
    });
    const processor = new Processor(this, 'Processor', {
      envName,
      codeDir: props.processorCodeDir,
      timeout: functionTimeout,
      logRetentionDays: logRetentionDays(envName),
      logRemovalPolicy: dataRemoval,
      bucketArn: uploads.bucketArn,
      queue: ingest.queue,
      metadata: tables.metadata,
      events: tables.events,
      deliveryStateMachine: delivery.stateMachine,
      bigFiles: { stateMachine: bigFile.stateMachine, thresholdBytes },
    });
    const monitoring = new Monitoring(this, 'Monitoring', {
      envName,
      fn: processor.fn,
      deadLetterQueue: ingest.deadLetterQueue,
      notifier: delivery.fn,
      bigFileStateMachine: bigFile.stateMachine,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    const pod = new PodPipeline(this, 'Pod', {
      envName,
      codeDir: props.podCodeDir,
      bucket: uploads.bucket.node.defaultChild as CfnBucket,
      bucketArn: uploads.bucketArn,
      sourceAccount: this.account,
      logRetentionDays: logRetentionDays(envName),
      logRemovalPolicy: dataRemoval,
      metadata: tables.metadata,
      events: tables.events,
      alarmTopic: monitoring.topic,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });

    const partnerApi = new PartnerApi(this, 'PartnerApi', {
      envName,
      codeDir: props.apiCodeDir,
      logRetentionDays: logRetentionDays(envName),
      logRemovalPolicy: dataRemoval,
      bucketArn: uploads.bucketArn,
      bucketName: uploads.bucket.bucketName,
      metadata: tables.metadata,
      ingestQueue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      alarmPrefix: `tap-${envName}-`,
    });

    for (const [key, value] of Object.entries(stackTags(envName))) {
      Tags.of(this).add(key, value);
    }

    const outputs: Record<keyof typeof OUTPUT, string> = {
      bucket: uploads.bucket.bucketName,
      queueUrl: ingest.queue.queueUrl,
      queueArn: ingest.queue.queueArn,
      dlqUrl: ingest.deadLetterQueue.queueUrl,
      dlqArn: ingest.deadLetterQueue.queueArn,
      functionName: processor.fn.functionName,
      logGroup: processor.logGroup.logGroupName,
      metadataTable: tables.metadata.tableName,
      statusIndex: STATUS_INDEX,
      eventsTable: tables.events.tableName,
      alarmTopic: monitoring.topic.topicArn,
      metricsNamespace: metricsNamespace(envName),
      environment: envName,
      apiUrl: partnerApi.api.url,
      apiId: partnerApi.api.restApiId,
      deliveryStateMachine: delivery.stateMachine.stateMachineArn,
      webhookSecret: delivery.secret.secretArn,
      notifierLogGroup: delivery.logGroup.logGroupName,
      podQueueUrl: pod.queue.queueUrl,
      podQueueArn: pod.queue.queueArn,
      podDlqUrl: pod.deadLetterQueue.queueUrl,
      podDlqArn: pod.deadLetterQueue.queueArn,
      podFunctionName: pod.fn.functionName,
      podLogGroup: pod.logGroup.logGroupName,
      bigFileStateMachine: bigFile.stateMachine.stateMachineArn,
      bigFileLogGroups: bigFile.logGroups.map((g) => g.logGroupName).join(','),
    };
    for (const [key, value] of Object.entries(outputs)) {
      new CfnOutput(this, OUTPUT[key as keyof typeof OUTPUT], { value });
    }

    acknowledgeAcceptedFindings(this, { envName, uploads, ingest, processor, monitoring, partnerApi, delivery, bigFile });
  }
}
