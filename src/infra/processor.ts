import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, PREFIX, SERVICE_NAME } from '../handlers/contract.js';
import { functionLogGroup, nodeFunction } from './parts.js';

export interface ProcessorProps {
  readonly envName: string;
  /** Folder with the bundled handler (index.mjs). */
  readonly codeDir: string;
  readonly timeout: Duration;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly bucketArn: string;
  readonly queue: Queue;
  readonly metadata: Table;
  readonly events: Table;
  /** The delivery state machine it starts once per file outcome (the only principal that may). */
  readonly deliveryStateMachine?: StateMachine;
  /** Files above `thresholdBytes` are handed to this state machine (src/infra/big-file.ts). */
  readonly bigFiles?: { readonly stateMachine: StateMachine; readonly thresholdBytes: number };
}

/** The processor function, its log group, its role (explicit actions only) and its SQS trigger. */
export class Processor extends Construct {
  readonly fn: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const functionName = `tap-${props.envName}-processor`;

    this.logGroup = functionLogGroup(this, 'LogGroup', functionName, { retention: props.logRetentionDays, removalPolicy: props.logRemovalPolicy });

    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `tap ${props.envName}: shipment file processor`,
      inlinePolicies: { processor: this.policy(props) },
    });

    this.fn = nodeFunction(this, 'Function', {
      functionName,
      description: 'tap: parses uploaded shipment files into DynamoDB',
      codeDir: props.codeDir,
      memorySize: 1024,
      timeout: props.timeout,
      role,
      logGroup: this.logGroup,
      powertools: { service: SERVICE_NAME, envName: props.envName },
      environment: {
        [ENV.metadataTable]: props.metadata.tableName,
        [ENV.eventsTable]: props.events.tableName,
        [ENV.environment]: props.envName,
        ...(props.deliveryStateMachine ? { [ENV.deliveryStateMachine]: props.deliveryStateMachine.stateMachineArn } : {}),
        ...(props.bigFiles
          ? { [ENV.bigFileStateMachine]: props.bigFiles.stateMachine.stateMachineArn, [ENV.bigFileThreshold]: String(props.bigFiles.thresholdBytes) }
          : {}),
      },
    });
    this.fn.addEventSource(
      new SqsEventSource(props.queue, {
        // No batching window: a file is picked up as soon as it is announced. Files are processed one
        // at a time within a batch, so waiting to fill batches would only add latency.
        batchSize: 5,
        reportBatchItemFailures: true,
      }),
    );
  }

  /** Least privilege, written out: CDK's grant helpers use wildcard actions (s3:GetObject*, …). */
  private policy(props: ProcessorProps): PolicyDocument {
    const objects = (prefix: string) => `${props.bucketArn}/${prefix}*`;
    return new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'ReadUploadsAndOwnOutputs',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [objects(PREFIX.incoming), objects(PREFIX.processed)],
        }),
        new PolicyStatement({
          sid: 'WriteOutputs',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [objects(PREFIX.processed), objects(PREFIX.rejected), objects(PREFIX.quarantine)],
        }),
        new PolicyStatement({
          sid: 'RecordFileMetadata',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [props.metadata.tableArn],
        }),
        new PolicyStatement({
          sid: 'WriteShipmentEvents',
          actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
          resources: [props.events.tableArn],
        }),
        ...(props.deliveryStateMachine
          ? [new PolicyStatement({ sid: 'StartDeliveries', actions: ['states:StartExecution'], resources: [props.deliveryStateMachine.stateMachineArn] })]
          : []),
        ...(props.bigFiles
          ? [new PolicyStatement({ sid: 'StartBigFiles', actions: ['states:StartExecution'], resources: [props.bigFiles.stateMachine.stateMachineArn] })]
          : []),
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
  }
}
