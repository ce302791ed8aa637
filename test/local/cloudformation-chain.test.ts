/**
 * One moment at which an operation is finished (issue 18): a client that polls DescribeStacks as fast
 * as it can and calls the next operation the moment the status is final is never refused, and sees
 * the final event and the outputs with the status. While an operation really runs, calls are refused
 * with AWS's error codes and wording.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
  UpdateStackCommand,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { events, fast, settled } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
});
afterAll(() => local?.stop());

const role = {
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
};

/**
 * The tap stack's shape in small: a queue with its policy, a table, a function with a named log group,
 * and a bucket. Names are fixed, as in the tap stack, so that anything one cycle leaves behind fails
 * the next create. (No event source mapping: its Lambda workers would make 20 cycles slow on a shared
 * 2-core machine; cloudformation-tap.test.ts deploys the whole pipeline.)
 */
function pipeline(visibility: number) {
  return {
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'chain-ingest', VisibilityTimeout: visibility } },
      QueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Queue' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] },
        },
      },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: 'chain-table', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/chain-processor', RetentionInDays: 1 } },
      Role: role,
      Processor: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'chain-processor',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: 'exports.handler = async () => ({ batchItemFailures: [] });' },
          LoggingConfig: { LogGroup: { Ref: 'Logs' } },
          Environment: { Variables: { TABLE: { Ref: 'Table' } } },
        },
      },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } },
    },
    Outputs: { QueueUrl: { Value: { Ref: 'Queue' } }, TableName: { Value: { Ref: 'Table' } } },
  };
}

/**
 * Polls DescribeStacks every 2 ms until the stack leaves its IN_PROGRESS states: far faster than any
 * real client, while leaving the server (same process) room to work on a busy 2-core machine.
 */
async function untilFinal(stackId: string): Promise<Stack> {
  for (;;) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) return stack;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The final status arrives with its own event on top and, for a create or update, the outputs. */
async function expectFinished(stack: Stack, status: string): Promise<void> {
  expect(stack.StackStatus).toBe(status);
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stack.StackId }));
  expect(StackEvents![0]).toMatchObject({ LogicalResourceId: stack.StackName, ResourceStatus: status });
  if (status !== 'DELETE_COMPLETE') expect(stack.Outputs?.map((o) => o.OutputKey).sort()).toEqual(['QueueUrl', 'TableName']);
}

describe('an operation is finished at one moment', () => {
  it('create → delete → create → update → delete, 20 times, each call the moment the last status is final', async () => {
    const StackName = 'chain';
    const create = async () => (await cfn.send(new CreateStackCommand({ StackName, TemplateBody: JSON.stringify(pipeline(30)), Capabilities: ['CAPABILITY_IAM'] }))).StackId!;
    for (let cycle = 0; cycle < 20; cycle++) {
      let id = await create();
      await expectFinished(await untilFinal(id), 'CREATE_COMPLETE');
      await cfn.send(new DeleteStackCommand({ StackName }));
      await expectFinished(await untilFinal(id), 'DELETE_COMPLETE');
      id = await create();
      await expectFinished(await untilFinal(id), 'CREATE_COMPLETE');
      await cfn.send(new UpdateStackCommand({ StackName, TemplateBody: JSON.stringify(pipeline(60 + cycle)), Capabilities: ['CAPABILITY_IAM'] }));
      await expectFinished(await untilFinal(id), 'UPDATE_COMPLETE');
      await cfn.send(new DeleteStackCommand({ StackName }));
      await expectFinished(await untilFinal(id), 'DELETE_COMPLETE');
    }
  }, 600_000);
});

/** A custom resource whose handler answers after `Delay` ms: the operation is in progress that long. */
function slow(delay: number, name: string) {
  const handler = `
const response = require('cfn-response');
exports.handler = async (event, context) => {
  await new Promise((r) => setTimeout(r, Number(event.ResourceProperties.Delay)));
  await response.send(event, context, response.SUCCESS, {}, 'slow-' + event.ResourceProperties.Name);
};`;
  return JSON.stringify({
    Resources: {
      Role: role,
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 30, Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: handler } } },
      Slow: { Type: 'Custom::Slow', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, Delay: delay, Name: name } },
    },
  });
}

describe('calls during an operation in progress', () => {
  const DELAY = 2500;

  it('are refused with AWS error codes and wording', async () => {
    // arrange: a create that runs for a while
    const StackName = 'busy';
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName, TemplateBody: slow(DELAY, 'a'), Capabilities: ['CAPABILITY_IAM'] }));

    // act + assert: UpdateStack during the create
    await expect(cfn.send(new UpdateStackCommand({ StackName, TemplateBody: slow(DELAY, 'b'), Capabilities: ['CAPABILITY_IAM'] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack:${StackId} is in CREATE_IN_PROGRESS state and can not be updated.`,
    });
    expect((await settled(cfn, StackId!)).StackStatus).toBe('CREATE_COMPLETE');

    // arrange: a change set made ready, then an update that runs for a while
    const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: 'later', TemplateBody: slow(DELAY, 'c'), Capabilities: ['CAPABILITY_IAM'] }));
    await waitUntilChangeSetCreateComplete({ client: cfn, ...fast }, { ChangeSetName: Id });
    await cfn.send(new UpdateStackCommand({ StackName, TemplateBody: slow(DELAY, 'b'), Capabilities: ['CAPABILITY_IAM'] }));

    // act + assert: DeleteStack, UpdateStack, ExecuteChangeSet during the update
    await expect(cfn.send(new DeleteStackCommand({ StackName }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack [${StackId}] cannot be deleted while in status UPDATE_IN_PROGRESS`,
    });
    await expect(cfn.send(new UpdateStackCommand({ StackName, TemplateBody: slow(DELAY, 'c'), Capabilities: ['CAPABILITY_IAM'] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack:${StackId} is in UPDATE_IN_PROGRESS state and can not be updated.`,
    });
    await expect(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }))).rejects.toMatchObject({
      name: 'InvalidChangeSetStatusException',
      message: `Stack:${StackId} is in UPDATE_IN_PROGRESS state and can not be updated.`,
    });

    // the update ends as if nothing had been tried meanwhile, and the stack takes the next call
    expect((await settled(cfn, StackId!)).StackStatus).toBe('UPDATE_COMPLETE');
    await cfn.send(new DeleteStackCommand({ StackName }));
    expect((await settled(cfn, StackId!)).StackStatus).toBe('DELETE_COMPLETE');
  }, 60_000);

  it('DeleteStack during a create is accepted, as on AWS: the stack is deleted once the create has ended', async () => {
    const StackName = 'busy-delete';
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName, TemplateBody: slow(DELAY, 'd'), Capabilities: ['CAPABILITY_IAM'] }));
    await cfn.send(new DeleteStackCommand({ StackName }));
    expect((await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks![0]!.StackStatus).toBe('CREATE_IN_PROGRESS');

    expect((await settled(cfn, StackId!)).StackStatus).toBe('DELETE_COMPLETE');
    const statuses = (await events(cfn, StackId!)).filter((e) => e.LogicalResourceId === StackName).map((e) => e.ResourceStatus).reverse();
    expect(statuses).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  }, 60_000);
});
