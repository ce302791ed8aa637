import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_STAGE, API_THROTTLE } from '../../../src/infra/api.js';
import { OUTPUT } from '../../../src/infra/stack.js';
import { buildStack, type BuiltStack } from '../../helpers/stack.js';

let dev: BuiltStack;
beforeAll(async () => {
  dev = await buildStack('dev');
});

const handlerPolicy = () => {
  const role = Object.values(dev.template.findResources('AWS::IAM::Role')).find((r) => r.Properties.Description === 'tap dev: partner API handler')!;
  return role.Properties.Policies[0].PolicyDocument.Statement as Array<{ Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown }>;
};

describe('the partner API', () => {
  it('is a regional REST API named tap-<env>-api whose every method requires IAM', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'tap-dev-api', EndpointConfiguration: { Types: ['REGIONAL'] } });
    const methods = Object.values(dev.template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'GET', 'POST']);
    for (const m of methods) {
      expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(m.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
    const paths = Object.values(dev.template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart).sort();
    expect(paths).toEqual(['files', 'status', '{key+}']);
  });

  it('validates POST /files bodies against a model and answers the reason', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    dev.template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['filename', 'contentType', 'size'], additionalProperties: false }),
    });
    dev.template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', RequestValidatorId: Match.anyValue(), RequestModels: { 'application/json': Match.anyValue() } });
    dev.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('validationErrorString') },
    });
  });

  it('throttles the stage, logs access as JSON to a log group with retention, and does not trace', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: API_STAGE,
      TracingEnabled: false,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit })],
    });
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/apigateway/tap-dev-api/access', RetentionInDays: 7 });
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/tap-dev-api', RetentionInDays: 7 });
  });

  it('runs the handler on Node.js arm64 with its own log group and tracing off', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'tap-dev-api',
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs'),
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
    const fn = Object.values(dev.template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'tap-dev-api' } }))[0]!;
    expect(fn.Properties.TracingConfig?.Mode ?? 'PassThrough').toBe('PassThrough');
  });

  it('grants the handler only what its routes need', () => {
    const statements = handlerPolicy();
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      'cloudwatch:DescribeAlarms', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'logs:CreateLogStream', 'logs:PutLogEvents',
      's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage',
      'states:DescribeExecution', 'states:DescribeMapRun', 'states:ListMapRuns',
    ].sort());
    // A big file's progress: this environment's big-file executions and their map runs, nothing else.
    const progress = statements.find((s) => s.Sid === 'BigFileProgress')!;
    expect(JSON.stringify(progress.Resource)).toContain(':execution:tap-dev-big-file:*');
    expect(JSON.stringify(progress.Resource)).toContain(':mapRun:tap-dev-big-file/*');
    expect([progress.Resource].flat()).toHaveLength(2);
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'))!;
    expect(JSON.stringify(put.Resource)).toMatch(/\/incoming\/\*"\]\]\}$/);
    expect(statements.find((s) => s.Sid === 'SuggestSimilarKeys')!.Condition).toEqual({ StringLike: { 's3:prefix': ['incoming/*'] } });
  });

  it('outputs its URL and id (and no second copy of the URL)', () => {
    dev.template.hasOutput(OUTPUT.apiUrl, { Value: Match.anyValue() });
    dev.template.hasOutput(OUTPUT.apiId, { Value: Match.anyValue() });
    expect(Object.keys(dev.template.toJSON().Outputs).filter((k) => k.includes('Endpoint'))).toEqual([]);
  });
});
