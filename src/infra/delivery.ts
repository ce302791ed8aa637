import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Choice, Condition, Fail, JitterType, JsonPath, Pass, Result, type StateMachine, Succeed, TaskInput, Timeout } from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue, DynamoUpdateItem, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV, NOTIFIER_SERVICE_NAME, deliveryStateMachineName, webhookSecretName } from '../handlers/contract.js';
import { functionLogGroup, loggedStateMachine, nodeFunction } from './parts.js';

/** Defaults suited to AWS: 6 attempts, waits of up to 5, 10, 20, 40, 80 s (full jitter) between them. */
export const DELIVERY_DEFAULTS = { attempts: 6, intervalSeconds: 5 } as const;

export interface DeliveryProps {
  readonly envName: string;
  /** Folder with the bundled notifier (index.mjs). */
  readonly codeDir: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly secretRemovalPolicy: RemovalPolicy;
  readonly metadata: Table;
  /** Where outcomes go; absent: the state machine ends at once ("No webhook"). */
  readonly webhookUrl?: string;
  /** Attempts in all (the first and its retries). */
  readonly attempts?: number;
  /** The first retry's base wait; each next one doubles, with full jitter. */
  readonly intervalSeconds?: number;
}

/**
 * Result delivery: the signing key's secret, the notifier function, and the state machine that the
 * processor starts once per file outcome. Choice (no webhook: done) → Deliver (the notifier, retried
 * with exponential back-off and full jitter) → done, or → Record failure on the metadata item → Fail.
 * The notifier records every attempt (and success) on the item itself and emits the metrics.
 */
export class Delivery extends Construct {
  readonly secret: Secret;
  readonly fn: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const attempts = props.attempts ?? DELIVERY_DEFAULTS.attempts;
    const intervalSeconds = props.intervalSeconds ?? DELIVERY_DEFAULTS.intervalSeconds;

    this.secret = new Secret(this, 'WebhookSecret', {
      secretName: webhookSecretName(props.envName),
      description: `tap ${props.envName}: the key that signs webhook deliveries (Tap-Signature)`,
      // 64 letters and digits: 380 bits, and no character a partner's config file must escape.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'signingKey', passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.secretRemovalPolicy,
    });

    const functionName = `tap-${props.envName}-notifier`;
    this.logGroup = functionLogGroup(this, 'LogGroup', functionName, { retention: props.logRetentionDays, removalPolicy: props.logRemovalPolicy });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `tap ${props.envName}: webhook notifier`,
      inlinePolicies: {
        notifier: new PolicyDocument({
          statements: [
            // The only principal that may read the signing key.
            new PolicyStatement({ sid: 'ReadSigningKey', actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }),
            new PolicyStatement({ sid: 'RecordDeliveries', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.metadata.tableArn] }),
            new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    this.fn = nodeFunction(this, 'Function', {
      functionName,
      description: "tap: posts a file's outcome, signed, to the environment's webhook",
      codeDir: props.codeDir,
      memorySize: 256,
      // The POST itself times out after 10 s (src/handlers/notifier.ts).
      timeout: Duration.seconds(30),
      role,
      logGroup: this.logGroup,
      powertools: { service: NOTIFIER_SERVICE_NAME, envName: props.envName },
      environment: {
        [ENV.environment]: props.envName,
        [ENV.metadataTable]: props.metadata.tableName,
        // The name, not the ARN: readable in the console, and enough for GetSecretValue.
        [ENV.webhookSecret]: webhookSecretName(props.envName),
      },
    });

    this.stateMachine = this.machine(props, attempts, intervalSeconds);
  }

  private machine(props: DeliveryProps, attempts: number, intervalSeconds: number): StateMachine {
    const settings = new Pass(this, 'Webhook', { result: Result.fromObject({ url: props.webhookUrl ?? '' }), resultPath: '$.webhook' });
    const deliver = new LambdaInvoke(this, 'Deliver', {
      lambdaFunction: this.fn,
      payload: TaskInput.fromObject({
        outcome: JsonPath.objectAt('$.outcome'),
        // The execution's name is the delivery id: the same for every attempt, new for a retry.
        deliveryId: JsonPath.executionName,
        url: JsonPath.stringAt('$.webhook.url'),
        maxAttempts: attempts,
      }),
      resultSelector: { 'status.$': '$.Payload.status', 'attempts.$': '$.Payload.attempts', 'httpStatus.$': '$.Payload.httpStatus', 'at.$': '$.Payload.at' },
      resultPath: '$.delivery',
      retryOnServiceExceptions: false,
      taskTimeout: Timeout.duration(Duration.seconds(45)),
    });
    deliver.addRetry({
      errors: ['DeliveryFailed', 'States.Timeout', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      interval: Duration.seconds(intervalSeconds),
      maxAttempts: attempts - 1,
      backoffRate: 2,
      jitterStrategy: JitterType.FULL,
      maxDelay: Duration.minutes(5),
    });
    const recordFailure = new DynamoUpdateItem(this, 'Record failure', {
      table: props.metadata,
      key: {
        filename: DynamoAttributeValue.fromString(JsonPath.stringAt('$.outcome.key')),
        upload_timestamp: DynamoAttributeValue.fromString(JsonPath.stringAt('$.outcome.uploadedAt')),
      },
      // The notifier has recorded the attempts and the last HTTP status; this also covers a notifier
      // that could not record (a timeout, a crash).
      updateExpression: 'SET delivery_status = :failed, delivery_final_error = :error',
      conditionExpression: 'attribute_exists(filename)',
      expressionAttributeValues: {
        ':failed': DynamoAttributeValue.fromString('FAILED'),
        ':error': DynamoAttributeValue.fromString(JsonPath.stringAt('$.failure.Error')),
      },
      resultPath: JsonPath.DISCARD,
    });
    deliver.addCatch(recordFailure.next(new Fail(this, 'Not delivered', { error: 'DeliveryFailed', cause: 'The webhook did not take the outcome; see the metadata item and the notifier logs.' })), {
      resultPath: '$.failure',
    });
    const definition = settings.next(
      new Choice(this, 'Webhook configured?').when(Condition.stringEquals('$.webhook.url', ''), new Succeed(this, 'No webhook')).otherwise(deliver.next(new Succeed(this, 'Delivered'))),
    );
    const name = deliveryStateMachineName(props.envName);
    return loggedStateMachine(this, {
      name,
      comment: `tap ${props.envName}: delivers file outcomes to the webhook`,
      definition,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
    });
  }
}
