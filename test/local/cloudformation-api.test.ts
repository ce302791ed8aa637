import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  GetTemplateSummaryCommand,
  ListImportsCommand,
  ValidateTemplateCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { createStack, deleteStack, describe as describeStack, events, fast, output, settled } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;

beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  cfn = new CloudFormationClient(local.clientConfig);
});
afterAll(() => local?.stop());

const YAML_TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Description: parameters, conditions, mappings and outputs
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Secret:
    Type: String
    NoEcho: true
Mappings:
  Sizes:
    dev: { Retention: '60' }
    prod: { Retention: '1209600' }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Rules:
  SecretLength:
    Assertions:
      - Assert: !Not [!Equals [!Ref Secret, '']]
        AssertDescription: Secret must not be empty
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}-\${Env}'
      MessageRetentionPeriod: !FindInMap [Sizes, !Ref Env, Retention]
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/\${AWS::StackName}/queue'
      Type: String
      Value: !If [IsProd, !GetAtt ProdOnly.Arn, !GetAtt Queue.Arn]
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export: { Name: !Sub '\${AWS::StackName}-queue-arn' }
  ProdQueue:
    Condition: IsProd
    Value: !Ref ProdOnly
  Azs:
    Value: !Join [',', !GetAZs '']
`;

describe('CloudFormation API', () => {
  it('deploys a YAML template from S3 (virtual-hosted URL) with parameters, NoEcho, conditions, mappings, rules and exports', async () => {
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'templates', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'templates', Key: 'dir/queue.yaml', Body: YAML_TEMPLATE }));
    const TemplateURL = 'https://templates.s3.eu-west-1.amazonaws.com/dir/queue.yaml';

    const summary = await cfn.send(new GetTemplateSummaryCommand({ TemplateURL }));
    expect(summary.Parameters?.map((p) => [p.ParameterKey, p.ParameterType, p.NoEcho, p.DefaultValue])).toEqual([
      ['Env', 'String', false, 'dev'],
      ['Secret', 'String', true, undefined],
    ]);
    expect(summary.ResourceTypes).toEqual(['AWS::SQS::Queue', 'AWS::SSM::Parameter']);
    const validated = await cfn.send(new ValidateTemplateCommand({ TemplateBody: YAML_TEMPLATE }));
    expect(validated.Description).toBe('parameters, conditions, mappings and outputs');

    // a rule that fails rejects the call, with the assertion's description
    await expect(cfn.send(new CreateStackCommand({ StackName: 'params', TemplateURL, Parameters: [{ ParameterKey: 'Secret', ParameterValue: '' }] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Secret must not be empty',
    });
    // path-style URL on the local endpoint works as well
    const { StackId } = await cfn.send(new CreateStackCommand({
      StackName: 'params',
      TemplateURL: `${local.endpoint}/templates/dir/queue.yaml`,
      Parameters: [{ ParameterKey: 'Secret', ParameterValue: 's3cr3t' }],
    }));
    await waitUntilStackCreateComplete({ client: cfn, ...fast }, { StackName: StackId });
    const stack = await describeStack(cfn, 'params');
    expect(stack.Parameters).toEqual([
      { ParameterKey: 'Env', ParameterValue: 'dev' },
      { ParameterKey: 'Secret', ParameterValue: '****' },
    ]);
    expect(output(stack, 'QueueArn')).toBe('arn:aws:sqs:eu-west-1:000000000000:params-dev');
    expect(output(stack, 'ProdQueue')).toBeUndefined();
    expect(output(stack, 'Azs')).toBe('eu-west-1a,eu-west-1b,eu-west-1c');
    expect(stack.Outputs?.find((o) => o.OutputKey === 'QueueArn')?.ExportName).toBe('params-queue-arn');
    const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'params' }));
    expect(StackResources?.map((r) => r.LogicalResourceId).sort()).toEqual(['Queue', 'Setting']); // ProdOnly's condition is false
    const parameter = await new SSMClient(local.clientConfig).send(new GetParameterCommand({ Name: '/params/queue' }));
    expect(parameter.Parameter?.Value).toBe('arn:aws:sqs:eu-west-1:000000000000:params-dev');

    // another stack imports the export; the exporter cannot be deleted while it does
    await createStack(cfn, 'importer', {
      Resources: { Copy: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::ImportValue': 'params-queue-arn' } } } },
    });
    expect((await cfn.send(new ListImportsCommand({ ExportName: 'params-queue-arn' }))).Imports).toEqual(['importer']);
    const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
    await cfn.send(new DeleteStackCommand({ StackName: 'params' }));
    const blocked = await settled(cfn, 'params');
    expect(blocked.StackStatus).toBe('DELETE_FAILED');
    expect(blocked.StackStatusReason).toBe('Export params-queue-arn cannot be deleted as it is in use by importer');
    await deleteStack(cfn, 'importer');
    await deleteStack(cfn, 'params');
    expect((await events(cfn, StackId!))[0]?.ResourceStatus).toBe('DELETE_COMPLETE');
  });

  it('resolves AWS::SSM::Parameter::Value parameters from the local SSM', async () => {
    await new SSMClient(local.clientConfig).send(new PutParameterCommand({ Name: '/config/queue-name', Value: 'from-ssm', Type: 'String' }));
    const stack = await createStack(cfn, 'ssm-params', {
      Parameters: { QueueName: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/config/queue-name' } },
      Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'QueueName' } } } },
      Outputs: { Name: { Value: { 'Fn::GetAtt': ['Queue', 'QueueName'] } } },
    });
    expect(output(stack, 'Name')).toBe('from-ssm');
    expect(stack.Parameters).toEqual([{ ParameterKey: 'QueueName', ParameterValue: '/config/queue-name', ResolvedValue: 'from-ssm' }]);
    await deleteStack(cfn, 'ssm-params');
  });
});
