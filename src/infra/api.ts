import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib/core';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, PREFIX, STATUS_INDEX, bigFileStateMachineName } from '../handlers/contract.js';
import { MAX_UPLOAD_BYTES } from '../handlers/api/inputs.js';
import { functionLogGroup, nodeFunction } from './parts.js';

export interface PartnerApiProps {
  readonly envName: string;
  /** Folder with the bundled API handler (index.mjs). */
  readonly codeDir: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly bucketArn: string;
  readonly bucketName: string;
  readonly metadata: Table;
  readonly ingestQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alarmPrefix: string;
}

/** Requests per second (and burst) a stage serves before answering 429. */
export const API_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;
export const API_STAGE = 'v1';

/**
 * The partner API: a regional REST API whose every method requires IAM (SigV4), backed by one
 * Lambda handler (src/handlers/api.ts). POST /files bodies are validated by a model before the
 * handler runs; stage throttling; JSON access logs; tracing off.
 */
export class PartnerApi extends Construct {
  readonly api: RestApi;
  readonly fn: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PartnerApiProps) {
    super(scope, id);
    const name = `tap-${props.envName}-api`;
    this.logGroup = functionLogGroup(this, 'HandlerLogGroup', name, { retention: props.logRetentionDays, removalPolicy: props.logRemovalPolicy });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${name}/access`,
      retention: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `tap ${props.envName}: partner API handler`,
      inlinePolicies: { api: this.policy(props) },
    });
    this.fn = nodeFunction(this, 'Handler', {
      functionName: name,
      description: 'tap: the partner API (status, files, upload permissions)',
      codeDir: props.codeDir,
      memorySize: 512,
      timeout: Duration.seconds(15),
      role,
      logGroup: this.logGroup,
      tracing: false,
      environment: {
        [ENV.environment]: props.envName,
        [ENV.metadataTable]: props.metadata.tableName,
        [ENV.bucket]: props.bucketName,
        [ENV.ingestQueueUrl]: props.ingestQueue.queueUrl,
        [ENV.dlqUrl]: props.deadLetterQueue.queueUrl,
        [ENV.alarmPrefix]: props.alarmPrefix,
      },
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: name,
      description: `tap ${props.envName}: partner API (IAM-signed requests only)`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Access and execution logging need the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: props.logRemovalPolicy,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: API_STAGE,
        throttlingRateLimit: API_THROTTLE.rateLimit,
        throttlingBurstLimit: API_THROTTLE.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true, httpMethod: true, ip: true, protocol: true, requestTime: true,
          resourcePath: true, responseLength: true, status: true, user: true,
        }),
        loggingLevel: MethodLoggingLevel.ERROR,
        tracingEnabled: false,
      },
    });
    // The stack outputs the URL under tap's own name (OUTPUT.apiUrl); CDK's extra output would be a second copy.
    this.api.node.tryRemoveChild('Endpoint');
    // A body that fails the model answers 400 with the reason, not only "Invalid request body".
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: { 'application/json': '{"message": "Invalid request body: $context.error.validationErrorString"}' },
    });

    const integration = new LambdaIntegration(this.fn);
    const status = this.api.root.addResource('status');
    status.addMethod('GET', integration);
    const files = this.api.root.addResource('files');
    files.addMethod('GET', integration);
    files.addMethod('POST', integration, {
      requestValidator: this.api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true }),
      requestModels: { 'application/json': this.uploadModel() },
    });
    files.addResource('{key+}').addMethod('GET', integration);
  }

  /** POST /files: `{ filename, contentType, size }`, nothing else. The handler checks the rest (key rules). */
  private uploadModel() {
    return this.api.addModel('UploadRequest', {
      contentType: 'application/json',
      modelName: 'UploadRequest',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'UploadRequest',
        type: JsonSchemaType.OBJECT,
        required: ['filename', 'contentType', 'size'],
        additionalProperties: false,
        properties: {
          filename: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 1000 },
          contentType: { type: JsonSchemaType.STRING, minLength: 3, maxLength: 255 },
          size: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: MAX_UPLOAD_BYTES },
        },
      },
    });
  }

  /** Least privilege, written out (CDK's grant helpers use wildcard actions). */
  private policy(props: PartnerApiProps): PolicyDocument {
    const objects = (prefix: string) => `${props.bucketArn}/${prefix}*`;
    return new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'ReadFileMetadata',
          actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan'],
          resources: [props.metadata.tableArn, `${props.metadata.tableArn}/index/${STATUS_INDEX}`],
        }),
        new PolicyStatement({
          // What a presigned POST lets the caller do is what this role may do: put under incoming/ only.
          sid: 'UploadPermissionsForIncoming',
          actions: ['s3:PutObject'],
          resources: [objects(PREFIX.incoming)],
        }),
        new PolicyStatement({
          // File status: the uploaded object's head, the first rejected records.
          sid: 'ReadUploadsAndRejects',
          actions: ['s3:GetObject'],
          resources: [objects(PREFIX.incoming), objects(PREFIX.rejected)],
        }),
        new PolicyStatement({
          sid: 'SuggestSimilarKeys',
          actions: ['s3:ListBucket'],
          resources: [props.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${PREFIX.incoming}*`] } },
        }),
        new PolicyStatement({
          sid: 'QueueDepths',
          actions: ['sqs:GetQueueAttributes'],
          resources: [props.ingestQueue.queueArn, props.deadLetterQueue.queueArn],
        }),
        new PolicyStatement({
          // File status says whether the file sits in the DLQ: a look that makes messages visible again at once.
          sid: 'LookIntoDeadLetterQueue',
          actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'],
          resources: [props.deadLetterQueue.queueArn],
        }),
        new PolicyStatement({
          sid: 'AlarmStates',
          actions: ['cloudwatch:DescribeAlarms'],
          resources: [Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${props.alarmPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new PolicyStatement({
          // GET /files/{key} of a big file still PROCESSING: how far its run has got (as tap status shows it).
          sid: 'BigFileProgress',
          actions: ['states:DescribeExecution', 'states:ListMapRuns', 'states:DescribeMapRun'],
          resources: bigFileRunArns(this, props.envName),
        }),
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
  }
}

/** The big-file state machine's executions and map runs (their names are made per file and per run). */
function bigFileRunArns(scope: Construct, envName: string): string[] {
  const machine = bigFileStateMachineName(envName);
  const arn = (resource: string, resourceName: string) => Stack.of(scope).formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return [arn('execution', `${machine}:*`), arn('mapRun', `${machine}/*`)];
}
