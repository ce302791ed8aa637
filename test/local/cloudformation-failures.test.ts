import {
  CloudFormationClient,
  CreateStackCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { createStack, describe as describeStack, events, settled } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
  sqs = new SQSClient(local.clientConfig);
});
afterAll(() => local?.stop());

const queues = async (prefix: string) => (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];

describe('CloudFormation failures', () => {
  it('rolls back a failed create: the failing resource\'s event carries the reason', async () => {
    await cfn.send(new CreateStackCommand({
      StackName: 'bad-create',
      TemplateBody: JSON.stringify({
        Resources: {
          Good: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-create-good' } },
          Bad: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-create-bad', VisibilityTimeout: 99999 }, DependsOn: 'Good' },
        },
      }),
    }));
    const stack = await settled(cfn, 'bad-create');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const rollback = (await events(cfn, 'bad-create')).find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
    expect(rollback?.ResourceStatusReason).toBe('The following resource(s) failed to create: [Bad]. Rollback requested by user.');
    const failed = (await events(cfn, 'bad-create')).find((e) => e.LogicalResourceId === 'Bad' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toMatch(/VisibilityTimeout/);
    const statuses = (await events(cfn, 'bad-create')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
    expect(statuses).toEqual([
      'bad-create CREATE_IN_PROGRESS',
      'Good CREATE_IN_PROGRESS',
      'Good CREATE_COMPLETE',
      'Bad CREATE_IN_PROGRESS',
      'Bad CREATE_FAILED',
      'bad-create ROLLBACK_IN_PROGRESS',
      'Bad DELETE_IN_PROGRESS',
      'Bad DELETE_COMPLETE',
      'Good DELETE_IN_PROGRESS',
      'Good DELETE_COMPLETE',
      'bad-create ROLLBACK_COMPLETE',
    ]);
    expect(await queues('bad-create')).toEqual([]);
    await expect(cfn.send(new UpdateStackCommand({ StackName: 'bad-create', UsePreviousTemplate: true }))).rejects.toMatchObject({
      message: expect.stringContaining('is in ROLLBACK_COMPLETE state and can not be updated.'),
    });
  });

  it('fails an unsupported resource type with an event naming it, never skipping it', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'unsupported', TemplateBody: JSON.stringify({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } } }) }));
    expect((await settled(cfn, 'unsupported')).StackStatus).toBe('ROLLBACK_COMPLETE');
    const failed = (await events(cfn, 'unsupported')).find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toContain('Resource type AWS::EC2::VPC is not supported by tap local');
  });

  it('rolls back a failed update to the previous template and resource state', async () => {
    const v1 = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-update', VisibilityTimeout: 30 } } } };
    const created = await createStack(cfn, 'bad-update', v1);
    const url = (await queues('bad-update'))[0]!;
    const v2 = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-update', VisibilityTimeout: 45 } },
        Added: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-update-added' } },
        Broken: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'bad-update-broken', DelaySeconds: 9000 }, DependsOn: ['Queue', 'Added'] },
      },
    };
    await cfn.send(new UpdateStackCommand({ StackName: 'bad-update', TemplateBody: JSON.stringify(v2) }));
    const stack = await settled(cfn, 'bad-update');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const reasons = (await events(cfn, 'bad-update')).filter((e) => e.LogicalResourceId === 'bad-update').map((e) => [e.ResourceStatus, e.ResourceStatusReason]);
    expect(reasons).toContainEqual(['UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Broken].']);
    expect(reasons.map((r) => r[0]).slice(0, 3)).toEqual(['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS']);
    // the queue has its old visibility timeout again; the added one is gone; the template is v1
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }))).Attributes?.VisibilityTimeout).toBe('30');
    expect(await queues('bad-update')).toEqual([url]);
    expect(JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: 'bad-update' }))).TemplateBody!)).toEqual(v1);
    expect((await describeStack(cfn, 'bad-update')).StackId).toBe(created.StackId);
    // and it can be updated again
    await cfn.send(new UpdateStackCommand({ StackName: 'bad-update', TemplateBody: JSON.stringify({ Resources: { Queue: { ...v1.Resources.Queue, Properties: { QueueName: 'bad-update', VisibilityTimeout: 40 } } } }) }));
    expect((await settled(cfn, 'bad-update')).StackStatus).toBe('UPDATE_COMPLETE');
  });

  it('fails a deletion-protected table\'s delete, as AWS does', async () => {
    const table = (protect: boolean) => ({
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'protected-table',
            BillingMode: 'PAY_PER_REQUEST',
            DeletionProtectionEnabled: protect,
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          },
        },
      },
    });
    await createStack(cfn, 'protected', table(true));
    const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
    await cfn.send(new DeleteStackCommand({ StackName: 'protected' }));
    const stack = await settled(cfn, 'protected');
    expect(stack.StackStatus).toBe('DELETE_FAILED');
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to delete: [Table]. ');
    const failed = (await events(cfn, 'protected')).find((e) => e.LogicalResourceId === 'Table' && e.ResourceStatus === 'DELETE_FAILED');
    expect(failed?.ResourceStatusReason).toContain('Resource cannot be deleted as it is currently protected against deletion');
    expect((await new DynamoDBClient(local.clientConfig).send(new ListTablesCommand({}))).TableNames).toContain('protected-table');
    // turning protection off and deleting again works
    await cfn.send(new UpdateStackCommand({ StackName: 'protected', TemplateBody: JSON.stringify(table(false)) })).catch((e) => e);
    expect((await settled(cfn, 'protected')).StackStatus).toBe('DELETE_FAILED'); // a DELETE_FAILED stack cannot be updated…
    const { StackId } = await describeStack(cfn, 'protected');
    await cfn.send(new DeleteStackCommand({ StackName: 'protected', RetainResources: ['Table'] })); // …but can be deleted, retaining the table
    expect((await settled(cfn, StackId!)).StackStatus).toBe('DELETE_COMPLETE');
  });

  it('rejects broken templates synchronously, naming the problem', async () => {
    const create = (body: object) => cfn.send(new CreateStackCommand({ StackName: 'broken', TemplateBody: JSON.stringify(body) }));
    await expect(create({ Resources: { A: { Type: 'AWS::SQS::Queue', DependsOn: 'B' }, B: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'A' } } } } })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Circular dependency between resources: [A, B]',
    });
    await expect(create({ Resources: { A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['A2', 'Arn'] } } } } })).rejects.toMatchObject({
      message: 'Template error: instance of Fn::GetAtt references undefined resource A2',
    });
    await expect(create({ Resources: { A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['B', 'Nope'] } } }, B: { Type: 'AWS::SQS::Queue' } } })).rejects.toMatchObject({
      message: 'Template error: resource B does not support attribute type Nope in Fn::GetAtt',
    });
    await expect(create({ Parameters: { P: { Type: 'String', AllowedValues: ['a'] } }, Resources: { A: { Type: 'AWS::SQS::Queue' } } })).rejects.toMatchObject({
      message: 'Parameters: [P] must have values',
    });
    await expect(create({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'x', AssumeRolePolicyDocument: {} } } } })).rejects.toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    });
    await expect(cfn.send(new ValidateTemplateCommand({ TemplateBody: '{"Resources": {}}' }))).rejects.toMatchObject({
      message: 'Template format error: At least one Resources member must be defined.',
    });
  });
});
