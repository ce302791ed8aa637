/**
 * The pieces every tap pipeline repeats, built one way: a queue the upload bucket notifies for one
 * prefix (with its dead-letter queue and the policy that lets only this bucket send), and a Node.js
 * function with its own log group, a traced state machine that logs to its own group. Each construct still names its own resources and grants its own
 * permissions; what is here is what must not differ between them.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib/core';
import { PolicyStatement, type IRole, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, Code, Function as LambdaFunction, LoggingFormat, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, type IChainable, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { metricsNamespace } from '../handlers/contract.js';
import { newestNodeRuntime } from './runtime.js';

export interface NotifiedQueueProps {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  /** Six times the consuming function's time-out, as AWS advises. */
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly bucket: CfnBucket;
  readonly bucketArn: string;
  readonly sourceAccount: string;
  /** Objects created under this prefix are sent to the queue. */
  readonly prefix: string;
}

/** Creates `DeadLetterQueue` and `Queue` in `scope`, and adds the queue to the bucket's notifications. */
export function notifiedQueue(scope: Construct, props: NotifiedQueueProps): { queue: Queue; deadLetterQueue: Queue } {
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    queueName: props.deadLetterQueueName,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const queue = new Queue(scope, 'Queue', {
    queueName: props.queueName,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: props.visibilityTimeout,
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  // Only this bucket, in this account, may send.
  const { policyDependable } = queue.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowUploadBucketNotifications',
      principals: [new ServicePrincipal('s3.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnEquals: { 'aws:SourceArn': props.bucketArn },
        StringEquals: { 'aws:SourceAccount': props.sourceAccount },
      },
    }),
  );
  addQueueNotification(props.bucket, queue.queueArn, props.prefix);
  // S3 checks that it may send when the configuration is set, so the policy must exist first.
  if (policyDependable) props.bucket.node.addDependency(policyDependable);
  return { queue, deadLetterQueue };
}

/**
 * One queue configuration more in the bucket's own NotificationConfiguration (not CDK's
 * Custom::S3BucketNotifications, so no custom resource and no extra Lambda). S3 refuses two
 * configurations whose prefixes overlap for the same event, so each pipeline has its own prefix.
 */
function addQueueNotification(bucket: CfnBucket, queueArn: string, prefix: string): void {
  const current = (bucket.notificationConfiguration ?? {}) as CfnBucket.NotificationConfigurationProperty;
  const queues = (current.queueConfigurations ?? []) as CfnBucket.QueueConfigurationProperty[];
  bucket.notificationConfiguration = {
    ...current,
    queueConfigurations: [...queues, { event: 's3:ObjectCreated:*', queue: queueArn, filter: { s3Key: { rules: [{ name: 'prefix', value: prefix }] } } }],
  };
}

/** The log group a function writes to, made by the stack so its retention and removal are ours. */
export function functionLogGroup(scope: Construct, id: string, functionName: string, props: { retention: number; removalPolicy: RemovalPolicy }): LogGroup {
  return new LogGroup(scope, id, { logGroupName: `/aws/lambda/${functionName}`, retention: props.retention, removalPolicy: props.removalPolicy });
}

export interface NodeFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** Folder with the bundled handler (index.mjs). */
  readonly codeDir: string;
  /** The export to run (default `handler`): one bundle may serve several functions. */
  readonly handler?: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly role: IRole;
  readonly logGroup: LogGroup;
  /** Its own variables; NODE_OPTIONS (source maps) is added, and Powertools' when `powertools` is given. */
  readonly environment: Record<string, string>;
  /** Powertools' service name (log and metric dimension) and the env whose metrics namespace it writes to. */
  readonly powertools?: { readonly service: string; readonly envName: string };
  /** X-Ray tracing; on unless said otherwise. */
  readonly tracing?: boolean;
}

/**
 * A tap function: the newest Node.js runtime on arm64, JSON logs (application INFO, platform WARN)
 * into its own log group, which must exist before the function so the first invocation does not
 * create an unmanaged one.
 */
export function nodeFunction(scope: Construct, id: string, props: NodeFunctionProps): LambdaFunction {
  const fn = new LambdaFunction(scope, id, {
    functionName: props.functionName,
    description: props.description,
    runtime: newestNodeRuntime(),
    architecture: Architecture.ARM_64,
    handler: `index.${props.handler ?? 'handler'}`,
    code: Code.fromAsset(props.codeDir),
    memorySize: props.memorySize,
    timeout: props.timeout,
    role: props.role,
    logGroup: props.logGroup,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel.INFO,
    systemLogLevelV2: SystemLogLevel.WARN,
    tracing: props.tracing === false ? Tracing.DISABLED : Tracing.ACTIVE,
    environment: {
      ...props.environment,
      ...(props.powertools && {
        POWERTOOLS_SERVICE_NAME: props.powertools.service,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(props.powertools.envName),
      }),
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
  fn.node.addDependency(props.logGroup);
  return fn;
}

export interface LoggedStateMachineProps {
  readonly name: string;
  readonly comment: string;
  readonly definition: IChainable;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** A Standard state machine, traced, logging every event (without execution data) to its own group. */
export function loggedStateMachine(scope: Construct, props: LoggedStateMachineProps): StateMachine {
  return new StateMachine(scope, 'StateMachine', {
    stateMachineName: props.name,
    comment: props.comment,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    tracingEnabled: true,
    logs: {
      destination: new LogGroup(scope, 'StateMachineLogs', {
        // AWS's advice for vended logs: the prefix keeps the account's log resource policy small.
        logGroupName: `/aws/vendedlogs/states/${props.name}`,
        retention: props.logRetentionDays,
        removalPolicy: props.logRemovalPolicy,
      }),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
}
