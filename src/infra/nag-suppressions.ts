import { Stack, Validations } from 'aws-cdk-lib/core';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { PREFIX } from '../handlers/contract.js';
import type { PartnerApi } from './api.js';
import type { BigFile } from './big-file.js';
import type { Delivery } from './delivery.js';
import type { Ingest } from './ingest.js';
import type { Monitoring } from './monitoring.js';
import type { Processor } from './processor.js';
import type { UploadBucket } from './storage.js';

export interface SuppressionTargets {
  readonly envName: string;
  readonly uploads: UploadBucket;
  readonly ingest: Ingest;
  readonly processor: Processor;
  readonly monitoring: Monitoring;
  readonly partnerApi: PartnerApi;
  readonly delivery: Delivery;
  readonly bigFile: BigFile;
}

/**
 * The cdk-nag findings this stack accepts, each with the reason. Everything else must pass: the
 * tests run the AwsSolutions and Serverless packs and expect no unacknowledged error.
 */
export function acknowledgeAcceptedFindings(_stack: Stack, t: SuppressionTargets): void {
  Validations.of(t.uploads.bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Every object the pipeline processes is recorded in the metadata table (key, version, ETag, time), ' +
      'and account-level object auditing is CloudTrail data events; a per-environment access-log bucket ' +
      'would add a second bucket to secure, retain and empty on destroy.',
  });

  // The processor's S3 permissions are scoped to the prefixes it reads and writes. Object keys are
  // user-chosen, so a prefix wildcard is the narrowest resource there is.
  const bucketPattern = `arn:<AWS::Partition>:s3:::tap-${t.envName}-uploads-<AWS::AccountId>-<AWS::Region>`;
  const role = t.processor.fn.role as Role;
  for (const prefix of Object.values(PREFIX)) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketPattern}/${prefix}*]`,
      reason: `Objects under ${prefix} have user-chosen keys; the grant is limited to that prefix and to named actions.`,
    });
  }
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });

  Validations.of(t.ingest.deadLetterQueue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This is the dead-letter queue; its messages go back to the ingest queue with `tap dlq redrive`.',
  });
  Validations.of(t.processor.fn).acknowledge(
    {
      id: 'Serverless-LambdaDLQ',
      reason:
        'The function is only invoked synchronously by its SQS event source mapping; a function DLQ applies ' +
        "to asynchronous invocations only. Failed messages dead-letter through the ingest queue's redrive policy.",
    },
    {
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'On-failure destinations are not supported for SQS event sources; the ingest queue redrives failed ' +
        'messages to its dead-letter queue after maxReceiveCount receives.',
    },
  );

  if (t.monitoring.emailSubscription) {
    Validations.of(t.monitoring.emailSubscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An e-mail subscription to alarm notifications: SNS retries e-mail delivery itself, and the alarm ' +
        'state stays visible in CloudWatch; a dead-letter queue for alarm e-mails would need an alarm of its own.',
    });
  }

  acknowledgePartnerApi(t.partnerApi, bucketPattern, t.envName);
  acknowledgeDelivery(t.delivery);
  acknowledgeBigFile(t.bigFile, bucketPattern, t.envName);
}

/** The big-file path's accepted findings (src/infra/big-file.ts). */
function acknowledgeBigFile(b: BigFile, bucketPattern: string, envName: string): void {
  const tracing = { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.' };
  const prefixes = { prepare: [PREFIX.incoming, PREFIX.processed, PREFIX.rejected, PREFIX.quarantine], batch: [], finish: [] } as const;
  for (const [name, fn] of [['prepare', b.prepareFn], ['batch', b.batchFn], ['finish', b.finishFn]] as const) {
    Validations.of(fn.role as Role).acknowledge(
      tracing,
      ...prefixes[name].map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::${bucketPattern}/${prefix}*]`,
        reason: `Objects under ${prefix} have user-chosen keys; the grant is limited to that prefix and to named actions.`,
      })),
    );
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: "Invoked synchronously by the big-file state machine only: its Retry and Catch handle failures, and a failed run's file is sent to the ingest dead-letter queue by Finish.",
    });
  }
  Validations.of(b.finishFn.role as Role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:mapRun:tap-${envName}-big-file/*]`,
    reason: "DescribeMapRun on this state machine's map runs only; their ids are made by Step Functions per run.",
  });
  const stack = Stack.of(b);
  const machineRef = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(b.stateMachine.node.defaultChild as never)}"}]}]}`;
  // CDK's DistributedMapPolicy, a policy of its own beside the role's.
  Validations.of(b.stateMachine).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineRef}:*]`,
      reason: "The distributed map's own grant (CDK's DistributedMapPolicy): describing and stopping this state machine's executions, whose names are chosen per file.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineRef}/WriteEvents:*]`,
      reason: "The distributed map's own grant (CDK's DistributedMapPolicy): the child executions of its map runs, named by Step Functions.",
    },
  );
  const arnOf = (fn: BigFile['prepareFn']) => `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as never)}.Arn>:*]`;
  Validations.of(b.stateMachine.role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs (the log-delivery actions) and X-Ray tracing support no resource-level permissions; ' +
        'these are the actions CDK grants a state machine for them.',
    },
    ...[b.prepareFn, b.batchFn, b.finishFn].map((fn) => ({
      id: arnOf(fn),
      reason: "lambda:InvokeFunction on the function's versions and aliases (CDK grants the function and its qualifiers); no other function.",
    })),
    ...[PREFIX.processed, PREFIX.mapResults].map((prefix) => ({
      id: `AwsSolutions-IAM5[Resource::${bucketPattern}/${prefix}*]`,
      reason: prefix === PREFIX.processed ? "The map's ItemReader reads the processed output of the file, under processed/ only." : "The map's ResultWriter writes its manifests under map-results/ only.",
    })),
  );
}

/** Result delivery's accepted findings (src/infra/delivery.ts). */
function acknowledgeDelivery(d: Delivery): void {
  Validations.of(d.secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The signing key is shared with the partner, who must install a new one before it is used: rotation is ' +
      'deliberate (tap webhook secret --rotate), and scheduled rotation would break every verification until then.',
  });
  Validations.of(d.fn.role as Role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });
  Validations.of(d.fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'The notifier is invoked synchronously by the delivery state machine only; its Retry and Catch handle failures, and a final failure is recorded on the file and alarmed on.',
  });
  Validations.of(d.stateMachine.role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray tracing support ' +
        'no resource-level permissions; these are the actions CDK grants a state machine for them, nothing else.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(d).getLogicalId(d.fn.node.defaultChild as never)}.Arn>:*]`,
      reason: "lambda:InvokeFunction on the notifier's versions and aliases (CDK grants the function and its qualifiers); no other function.",
    },
  );
}

/** The partner API's accepted findings (src/infra/api.ts). */
function acknowledgePartnerApi(api: PartnerApi, bucketPattern: string, envName: string): void {
  const role = api.fn.role as Role;
  for (const prefix of [PREFIX.incoming, PREFIX.rejected]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketPattern}/${prefix}*]`,
      reason: `Objects under ${prefix} have user-chosen keys; the handler may only ${prefix === PREFIX.incoming ? 'sign uploads into and read' : 'read'} that prefix, with named actions.`,
    });
  }
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:tap-${envName}-*]`,
    reason: "GET /status reports the states of this environment's alarms: DescribeAlarms on the alarms named tap-<env>-*, nothing else.",
  });
  for (const resource of [`execution:tap-${envName}-big-file:*`, `mapRun:tap-${envName}-big-file/*`]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:${resource}]`,
      reason: "GET /files/{key} shows a PROCESSING big file's progress: describing this environment's big-file executions and their map runs, whose names Step Functions or the processor make per file.",
    });
  }
  Validations.of(api.api).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-level CloudWatch role (needed for access and execution logs) uses AWS's managed policy made for exactly that role.",
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'Every method requires AWS_IAM (SigV4): partners call with IAM credentials of their own account or role; there are no end users for a Cognito user pool.',
    },
    {
      id: 'AwsSolutions-APIG3',
      reason: 'Only SigV4-signed requests reach the integration and the stage is throttled; a WAF web ACL would add cost without a rule that applies to signed machine traffic.',
    },
    {
      id: 'Serverless-APIGWXrayEnabled',
      reason: 'Tracing is off by default (cost); access logs carry the request id, caller, status and latency of every request.',
    },
  );
  Validations.of(api.fn).acknowledge(
    {
      id: 'Serverless-LambdaDLQ',
      reason: 'The handler is invoked synchronously by API Gateway only; a function DLQ applies to asynchronous invocations, and callers see every error.',
    },
    {
      id: 'Serverless-LambdaTracing',
      reason: "Tracing is off by default (cost), like the API's stage; the handler logs every error in JSON to its own log group.",
    },
  );
}
