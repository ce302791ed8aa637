import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { describe as describeStack, fast, output } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
});
afterAll(() => local?.stop());

const template = (visibility: number, dlqName: string, extra: Record<string, unknown> = {}) => ({
  Resources: {
    Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: dlqName } },
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: visibility, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 3 } },
    },
    ...extra,
  },
  Outputs: { QueueUrl: { Value: { Ref: 'Queue' } }, DlqArn: { Value: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
});

async function changeSet(name: string, body: object, type?: 'CREATE' | 'UPDATE') {
  const { Id } = await cfn.send(new CreateChangeSetCommand({
    StackName: 'changes',
    ChangeSetName: name,
    TemplateBody: JSON.stringify(body),
    ...(type ? { ChangeSetType: type } : {}),
  }));
  return Id!;
}

describe('CloudFormation change sets', () => {
  it('creates a stack through a CREATE change set, then updates it through the default (UPDATE) type', async () => {
    // CREATE: the stack exists at once, in REVIEW_IN_PROGRESS
    const createId = await changeSet('first', template(30, 'changes-dlq-a'), 'CREATE');
    expect((await describeStack(cfn, 'changes')).StackStatus).toBe('REVIEW_IN_PROGRESS');
    await waitUntilChangeSetCreateComplete({ client: cfn, ...fast }, { ChangeSetName: createId });
    const created = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: createId }));
    expect(created).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', ChangeSetName: 'first' });
    expect(created.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId])).toEqual([
      ['Add', 'Dlq'],
      ['Add', 'Queue'],
    ]);
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: 'first', StackName: 'changes' }));
    await waitUntilStackCreateComplete({ client: cfn, ...fast }, { StackName: 'changes' });
    expect((await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: createId }))).ExecutionStatus).toBe('EXECUTE_COMPLETE');

    // UPDATE (the default type): modify in place, replace (new name), add
    const updateId = await changeSet('second', template(60, 'changes-dlq-b', { Extra: { Type: 'AWS::SQS::Queue', Properties: {} } }));
    await waitUntilChangeSetCreateComplete({ client: cfn, ...fast }, { ChangeSetName: 'second', StackName: 'changes' });
    const update = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: updateId }));
    const byId = Object.fromEntries(update.Changes!.map((c) => [c.ResourceChange!.LogicalResourceId, c.ResourceChange!]));
    expect(byId.Dlq).toMatchObject({ Action: 'Modify', Replacement: 'True', Scope: ['Properties'] });
    expect(byId.Dlq!.Details).toEqual([
      { Target: { Attribute: 'Properties', Name: 'QueueName', RequiresRecreation: 'Always' }, Evaluation: 'Static', ChangeSource: 'DirectModification' },
    ]);
    // The queue changes directly (VisibilityTimeout) and through the replaced DLQ's ARN: dynamic.
    expect(byId.Queue).toMatchObject({ Action: 'Modify', Replacement: 'False' });
    expect(byId.Queue!.Details).toContainEqual(expect.objectContaining({ Target: expect.objectContaining({ Name: 'RedrivePolicy' }), Evaluation: 'Dynamic' }));
    expect(byId.Extra).toMatchObject({ Action: 'Add', ResourceType: 'AWS::SQS::Queue' });
    const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: 'changes' }));
    expect(Summaries?.map((s) => [s.ChangeSetName, s.Status])).toContainEqual(['second', 'CREATE_COMPLETE']);

    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: updateId }));
    await waitUntilStackUpdateComplete({ client: cfn, ...fast }, { StackName: 'changes' });
    const stack = await describeStack(cfn, 'changes');
    expect(output(stack, 'DlqArn')).toBe('arn:aws:sqs:us-east-1:000000000000:changes-dlq-b');
    const attrs = await new SQSClient(local.clientConfig).send(new GetQueueAttributesCommand({ QueueUrl: output(stack, 'QueueUrl'), AttributeNames: ['All'] }));
    expect(attrs.Attributes?.VisibilityTimeout).toBe('60');
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!).deadLetterTargetArn).toBe('arn:aws:sqs:us-east-1:000000000000:changes-dlq-b');
  });

  it('fails a change set without changes with AWS\'s reason, and deletes it', async () => {
    const current = await cfn.send(new CreateChangeSetCommand({ StackName: 'changes', ChangeSetName: 'again', UsePreviousTemplate: true }));
    await expect(waitUntilChangeSetCreateComplete({ client: cfn, ...fast }, { ChangeSetName: current.Id! })).rejects.toThrow();
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: current.Id! }));
    expect(described).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    await expect(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: current.Id! }))).rejects.toMatchObject({ name: 'InvalidChangeSetStatusException' });
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: current.Id! }));
    await expect(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: current.Id! }))).rejects.toMatchObject({ name: 'ChangeSetNotFoundException' });
  });

  it('rejects what AWS rejects', async () => {
    await expect(changeSet('twice', template(30, 'x'), 'CREATE')).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('already exists') });
    await expect(cfn.send(new CreateChangeSetCommand({ StackName: 'nope', ChangeSetName: 'a', TemplateBody: JSON.stringify(template(30, 'y')) }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack [nope] does not exist',
    });
    await expect(cfn.send(new CreateChangeSetCommand({ StackName: 'changes', ChangeSetName: '1bad', TemplateBody: '{}' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
