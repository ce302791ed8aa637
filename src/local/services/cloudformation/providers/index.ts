/** Resource type → provider. A type not listed fails the deploy with an event naming it. */
import * as apigateway from './apigateway.js';
import * as apigatewayExtras from './apigateway-extras.js';
import * as custom from './custom.js';
import * as dynamodb from './dynamodb.js';
import * as iam from './iam.js';
import * as iamUsers from './iam-users.js';
import * as lambda from './lambda.js';
import * as logs from './logs.js';
import * as misc from './misc.js';
import * as monitoring from './monitoring.js';
import * as s3 from './s3.js';
import * as secretsmanager from './secretsmanager.js';
import * as sns from './sns.js';
import * as sqs from './sqs.js';
import * as stepfunctions from './stepfunctions.js';
import type { ResourceProvider } from './types.js';

const PROVIDERS: Record<string, ResourceProvider> = {
  'AWS::ApiGateway::Account': apigateway.account,
  'AWS::ApiGateway::Deployment': apigateway.deployment,
  'AWS::ApiGateway::GatewayResponse': apigatewayExtras.gatewayResponse,
  'AWS::ApiGateway::Method': apigateway.method,
  'AWS::ApiGateway::Model': apigatewayExtras.model,
  'AWS::ApiGateway::RequestValidator': apigatewayExtras.requestValidator,
  'AWS::ApiGateway::Resource': apigateway.resource,
  'AWS::ApiGateway::RestApi': apigateway.restApi,
  'AWS::ApiGateway::Stage': apigateway.stage,
  'AWS::CDK::Metadata': misc.cdkMetadata,
  'AWS::CloudFormation::WaitConditionHandle': misc.waitConditionHandle,
  'AWS::CloudWatch::Alarm': monitoring.alarm,
  'AWS::DynamoDB::Table': dynamodb.table,
  'AWS::IAM::Role': iam.role,
  'AWS::IAM::Policy': iam.policy,
  'AWS::IAM::ManagedPolicy': iam.managedPolicy,
  'AWS::IAM::User': iamUsers.user,
  'AWS::IAM::AccessKey': iamUsers.accessKey,
  'AWS::Lambda::Function': lambda.fn,
  'AWS::Lambda::EventSourceMapping': lambda.eventSourceMapping,
  'AWS::Lambda::Permission': lambda.permission,
  'AWS::Lambda::EventInvokeConfig': lambda.eventInvokeConfig,
  'AWS::Logs::LogGroup': logs.logGroup,
  'AWS::S3::Bucket': s3.bucket,
  'AWS::S3::BucketPolicy': s3.bucketPolicy,
  'AWS::SecretsManager::Secret': secretsmanager.secret,
  'AWS::SNS::Topic': sns.topic,
  'AWS::SNS::Subscription': sns.subscription,
  'AWS::SNS::TopicPolicy': sns.topicPolicy,
  'AWS::SQS::Queue': sqs.queue,
  'AWS::SQS::QueuePolicy': sqs.queuePolicy,
  'AWS::SSM::Parameter': monitoring.parameter,
  'AWS::StepFunctions::StateMachine': stepfunctions.stateMachine,
  'Custom::S3BucketNotifications': custom.bucketNotifications,
  'Custom::S3AutoDeleteObjects': custom.autoDeleteObjects,
};

export function providerFor(type: string): ResourceProvider | undefined {
  if (PROVIDERS[type]) return PROVIDERS[type];
  if (type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::')) return custom.lambdaBacked;
  return undefined;
}
