import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  type CloudFormationClient,
  DescribeStackResourceCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { cfnClient, createStack, deleteStack, describe, events, output, updateStack } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = cfnClient(local.clientConfig);
});
afterAll(async () => local.stop());

const role = (description: string) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    Description: description,
  },
});

const table = (name: string) => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  },
});

function v1() {
  return {
    Parameters: { Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] } },
    Resources: {
      Role: role('first'),
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'read-table',
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] },
        },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': '/tap/${Env}/${AWS::StackName}' }, RetentionInDays: 7 } },
      Table: table('cfn-lifecycle-v1'),
      Meta: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:abc' } },
    },
    Outputs: {
      TableName: { Value: { Ref: 'Table' }, Export: { Name: 'lifecycle-table' } },
      RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
      LogGroupArn: { Value: { 'Fn::GetAtt': ['Logs', 'Arn'] } },
    },
  };
}

group('CloudFormation stack lifecycle', () => {
  it('creates, updates (add, modify, replace, remove) and deletes a stack', async () => {
    const iam = new IAMClient(local.clientConfig);
    const ddb = new DynamoDBClient(local.clientConfig);
    const logs = new CloudWatchLogsClient(local.clientConfig);

    // create
    const created = await createStack(cfn, 'lifecycle', v1());
    expect(created.StackStatus).toBe('CREATE_COMPLETE');
    expect(created.Parameters).toEqual([{ ParameterKey: 'Env', ParameterValue: 'dev' }]);
    expect(output(created, 'TableName')).toBe('cfn-lifecycle-v1');
    expect(output(created, 'LogGroupArn')).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/tap/dev/lifecycle:*');
    const roleName = output(created, 'RoleArn')!.split('/').pop()!;
    expect(roleName).toMatch(/^lifecycle-Role-[A-Z0-9]{13}$/);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    expect(Role?.Description).toBe('first');
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'read-table' }));
    expect(decodeURIComponent(inline.PolicyDocument!)).toContain('arn:aws:dynamodb:us-east-1:000000000000:table/cfn-lifecycle-v1');
    expect((await ddb.send(new DescribeTableCommand({ TableName: 'cfn-lifecycle-v1' }))).Table?.TableStatus).toBe('ACTIVE');
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/tap/dev/lifecycle' }));
    expect(groups.logGroups?.[0]?.retentionInDays).toBe(7);
    const { Exports } = await cfn.send(new ListExportsCommand({}));
    expect(Exports).toContainEqual(expect.objectContaining({ Name: 'lifecycle-table', Value: 'cfn-lifecycle-v1', ExportingStackId: created.StackId }));
    const detail = await cfn.send(new DescribeStackResourceCommand({ StackName: 'lifecycle', LogicalResourceId: 'Table' }));
    expect(detail.StackResourceDetail).toMatchObject({ PhysicalResourceId: 'cfn-lifecycle-v1', ResourceStatus: 'CREATE_COMPLETE', ResourceType: 'AWS::DynamoDB::Table' });

    // the same template again is no update
    await expect(cfn.send(new UpdateStackCommand({ StackName: 'lifecycle', TemplateBody: JSON.stringify(v1()), Capabilities: ['CAPABILITY_IAM'] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'No updates are to be performed.',
    });

    // update: modify Role and Logs in place, replace Table (new name), remove Meta, add Extra
    const v2 = v1() as any;
    v2.Resources.Role = role('second');
    v2.Resources.Logs.Properties.RetentionInDays = 30;
    v2.Resources.Table = table('cfn-lifecycle-v2');
    delete v2.Resources.Meta;
    v2.Resources.Extra = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/tap/extra' } };
    const updated = await updateStack(cfn, 'lifecycle', v2);
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(output(updated, 'TableName')).toBe('cfn-lifecycle-v2');
    expect(output(updated, 'RoleArn')!.split('/').pop()).toBe(roleName); // updated in place: same role
    expect((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Description).toBe('second');
    const policyAfter = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'read-table' }));
    expect(decodeURIComponent(policyAfter.PolicyDocument!)).toContain('table/cfn-lifecycle-v2');
    const tables = (await ddb.send(new ListTablesCommand({}))).TableNames;
    expect(tables).toContain('cfn-lifecycle-v2');
    expect(tables).not.toContain('cfn-lifecycle-v1');
    const retention = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/tap/' }));
    expect(retention.logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([
      ['/tap/dev/lifecycle', 30],
      ['/tap/extra', undefined],
    ]);
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'lifecycle' }));
    expect(StackResourceSummaries?.map((r) => r.LogicalResourceId).sort()).toEqual(['Extra', 'Logs', 'Policy', 'Role', 'Table']);
    const statuses = (await events(cfn, 'lifecycle')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    expect(statuses[0]).toBe('lifecycle UPDATE_COMPLETE');
    expect(statuses).toContain('lifecycle UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(statuses).toContain('Meta DELETE_COMPLETE');
    expect(statuses.filter((s) => s === 'Table DELETE_COMPLETE')).toHaveLength(1); // the replaced table
    const template = await cfn.send(new GetTemplateCommand({ StackName: 'lifecycle' }));
    expect(JSON.parse(template.TemplateBody!).Resources.Extra).toBeDefined();

    // delete
    await deleteStack(cfn, 'lifecycle');
    await expect(iam.send(new GetRoleCommand({ RoleName: roleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).not.toContain('cfn-lifecycle-v2');
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/tap/' }))).logGroups).toEqual([]);
    await expect(describe(cfn, 'lifecycle')).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id lifecycle does not exist' });
    const deleted = await describe(cfn, created.StackId!);
    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    const { StackSummaries } = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
    expect(StackSummaries?.map((s) => s.StackId)).toContain(created.StackId);
  });

  it('keeps Retain resources on delete (DELETE_SKIPPED) and follows UpdateReplacePolicy on replacement', async () => {
    const logs = new CloudWatchLogsClient(local.clientConfig);
    const names = async () => ((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/retain/' }))).logGroups ?? []).map((g) => g.logGroupName);
    const group = (name: string) => ({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    await createStack(cfn, 'retain', { Resources: { Kept: group('/retain/a'), Gone: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/retain/b' } } } });
    await updateStack(cfn, 'retain', { Resources: { Kept: group('/retain/a2'), Gone: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/retain/b' } } } });
    expect(await names()).toEqual(['/retain/a', '/retain/a2', '/retain/b']); // the replaced one stays
    await deleteStack(cfn, 'retain');
    expect(await names()).toEqual(['/retain/a', '/retain/a2']);
    const { StackId } = (await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }))).StackSummaries!.find((s) => s.StackName === 'retain')!;
    const statuses = (await events(cfn, StackId!)).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    expect(statuses).toContain('Kept DELETE_SKIPPED');
    expect(statuses).toContain('Gone DELETE_COMPLETE');
  });
});
