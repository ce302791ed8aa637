/** Executions on the local AWS: Task integrations, Retry/Catch/Choice/Wait/Parallel/Map, timeouts, history. */
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFunction } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished, history, runToEnd, types } from '../helpers/sfn.js';

// Executions take real seconds (Waits, Retry back-offs, Lambda workers); generous on a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000 });

let local: LocalHarness;
let sfn: SFNClient;
let lambda: LambdaClient;
let flakyArn: string;
let echoArn: string;
beforeAll(async () => {
  local = await startLocal();
  sfn = new SFNClient(local.clientConfig);
  lambda = new LambdaClient(local.clientConfig);
  // Fails twice per key (a counter kept in the warm worker's memory, keyed by the input), then succeeds.
  flakyArn = (await createFunction(lambda, 'flaky', {
    'index.mjs': `const seen = new Map();
      export const handler = async (e) => {
        const n = (seen.get(e.key) ?? 0) + 1; seen.set(e.key, n);
        if (e.alwaysFail || n <= 2) { const err = new Error('attempt ' + n + ' failed'); err.name = 'PartnerDown'; throw err; }
        return { attempts: n, key: e.key };
      };`,
  }, { MemorySize: 128 })).FunctionArn!;
  echoArn = (await createFunction(lambda, 'echo', { 'index.mjs': 'export const handler = async (e) => ({ echoed: e });' })).FunctionArn!;
}, 60_000);
afterAll(() => local.stop());

const invoke = (extra: object = {}) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'flaky', 'Payload.$': '$' }, ...extra });

describe('Lambda tasks with Retry, Catch, Choice and Wait', () => {
  it('retries a function that fails twice, then succeeds: 3 attempts in the history, Choice and Wait after it', async () => {
    const arn = await createMachine(sfn, 'deliver', {
      StartAt: 'Notify',
      States: {
        Notify: invoke({
          ResultSelector: { 'attempts.$': '$.Payload.attempts', 'status.$': '$.StatusCode' },
          Retry: [{ ErrorEquals: ['PartnerDown'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1.5, MaxDelaySeconds: 2, JitterStrategy: 'FULL' }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'GaveUp' }],
          Next: 'Delivered?',
        }),
        'Delivered?': { Type: 'Choice', Choices: [{ Variable: '$.attempts', NumericGreaterThanEquals: 1, Next: 'Settle' }], Default: 'GaveUp' },
        Settle: { Type: 'Wait', Seconds: 1, Next: 'Done' },
        GaveUp: { Type: 'Fail', Error: 'DeliveryFailed', Cause: 'gave up' },
        Done: { Type: 'Succeed' },
      },
    });
    const started = Date.now();
    const run = await runToEnd(sfn, arn, { key: 'retry-then-ok' });
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(run.output!)).toEqual({ attempts: 3, status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the Wait
    const events = await history(sfn, run.executionArn);
    expect(types(events).filter((t) => t === 'TaskScheduled')).toHaveLength(3);
    const failures = events.filter((e) => e.type === 'TaskFailed');
    expect(failures.map((e) => e.taskFailedEventDetails!.error)).toEqual(['PartnerDown', 'PartnerDown']);
    expect(JSON.parse(failures[0]!.taskFailedEventDetails!.cause!)).toMatchObject({ errorType: 'PartnerDown', errorMessage: 'attempt 1 failed' });
    expect(types(events)).toEqual([
      'ExecutionStarted', 'TaskStateEntered',
      'TaskScheduled', 'TaskStarted', 'TaskFailed',
      'TaskScheduled', 'TaskStarted', 'TaskFailed',
      'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'ChoiceStateEntered', 'ChoiceStateExited', 'WaitStateEntered', 'WaitStateExited',
      'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[2]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
  });

  it('catches a function error by its errorType once retries are spent, with Error and Cause in the result', async () => {
    const arn = await createMachine(sfn, 'deliver-fails', {
      StartAt: 'Notify',
      States: {
        Notify: invoke({
          Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 5 }, { ErrorEquals: ['PartnerDown'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['PartnerDown'], ResultPath: '$.error', Next: 'Record' }],
          End: true,
        }),
        Record: { Type: 'Pass', End: true },
      },
    });
    const run = await runToEnd(sfn, arn, { key: 'never', alwaysFail: true });
    expect(run.status).toBe('SUCCEEDED');
    const output = JSON.parse(run.output!);
    expect(output.error.Error).toBe('PartnerDown');
    expect(JSON.parse(output.error.Cause)).toMatchObject({ errorType: 'PartnerDown', errorMessage: 'attempt 2 failed' });
    expect(types(await history(sfn, run.executionArn)).filter((t) => t === 'TaskFailed')).toHaveLength(2);
  });

  it('names Lambda service errors Lambda.<Exception> and fails the execution with them when nothing catches', async () => {
    const arn = await createMachine(sfn, 'missing-fn', { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'no-such-function' }, End: true } } });
    const run = await runToEnd(sfn, arn);
    expect(run).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    expect(run.cause).toContain('no-such-function');
    expect(types(await history(sfn, run.executionArn)).slice(-2)).toEqual(['TaskFailed', 'ExecutionFailed']);
  });

  it('runs a plain function ARN as a Task (LambdaFunction* events, the payload as the result)', async () => {
    const arn = await createMachine(sfn, 'plain-arn', { StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: echoArn, End: true } } });
    const run = await runToEnd(sfn, arn, { hello: 'world' });
    expect(JSON.parse(run.output!)).toEqual({ echoed: { hello: 'world' } });
    expect(types(await history(sfn, run.executionArn))).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  it('times a Task out after TimeoutSeconds with States.Timeout (not matched by States.TaskFailed)', async () => {
    await createFunction(lambda, 'slow', { 'index.mjs': 'export const handler = async () => { await new Promise((r) => setTimeout(r, 4000)); return 1; };' }, { Timeout: 10 });
    const arn = await createMachine(sfn, 'timeout', {
      StartAt: 'Slow',
      States: {
        Slow: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'slow' }, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' }], End: true },
        Wrong: { Type: 'Pass', End: true },
      },
    });
    const run = await runToEnd(sfn, arn);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(await history(sfn, run.executionArn))).toContain('TaskTimedOut');
  });
});

describe('other integrations and flow states', () => {
  it('puts, updates and gets a DynamoDB item; sends to SQS; publishes to SNS', async () => {
    const ddb = new DynamoDBClient(local.clientConfig);
    await ddb.send(new CreateTableCommand({ TableName: 'deliveries', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const sqs = new SQSClient(local.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'outcomes' }));
    const sns = new SNSClient(local.clientConfig);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const { QueueUrl: topicQueue } = await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-copy' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:alerts-copy', Attributes: { RawMessageDelivery: 'true' } }));

    const arn = await createMachine(sfn, 'integrations', {
      StartAt: 'Put',
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 'deliveries', Item: { id: { 'S.$': '$.id' }, attempts: { N: '0' } } }, ResultPath: null, Next: 'Update' },
        Update: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:updateItem',
          Parameters: { TableName: 'deliveries', Key: { id: { 'S.$': '$.id' } }, UpdateExpression: 'SET attempts = attempts + :one, #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':one': { N: '1' }, ':s': { S: 'delivered' } } },
          ResultPath: null,
          Next: 'Get',
        },
        Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'deliveries', Key: { id: { 'S.$': '$.id' } } }, ResultSelector: { 'status.$': '$.Item.status.S' }, ResultPath: '$.item', Next: 'Send' },
        Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl, 'MessageBody.$': '$' }, ResultSelector: { 'id.$': '$.MessageId' }, ResultPath: '$.sent', Next: 'Publish' },
        Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn, Message: 'delivered' }, ResultPath: '$.published', Next: 'Conditional' },
        Conditional: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem',
          Parameters: { TableName: 'deliveries', Item: { id: { 'S.$': '$.id' } }, ConditionExpression: 'attribute_not_exists(id)' },
          Catch: [{ ErrorEquals: ['DynamoDb.ConditionalCheckFailedException'], ResultPath: '$.conflict', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    const run = await runToEnd(sfn, arn, { id: 'file-1' });
    expect(run.status).toBe('SUCCEEDED');
    const output = JSON.parse(run.output!);
    expect(output.item).toEqual({ status: 'delivered' });
    expect(output.conflict.Error).toBe('DynamoDb.ConditionalCheckFailedException');
    expect((await ddb.send(new GetItemCommand({ TableName: 'deliveries', Key: { id: { S: 'file-1' } } }))).Item).toMatchObject({ attempts: { N: '1' }, status: { S: 'delivered' } });
    const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages!;
    expect(message!.MessageId).toBe(output.sent.id);
    expect(JSON.parse(message!.Body!)).toMatchObject({ id: 'file-1', item: { status: 'delivered' } });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: topicQueue, WaitTimeSeconds: 1 }))).Messages![0]!.Body).toBe('delivered');
    expect(output.published.MessageId).toEqual(expect.any(String));
  });

  it('runs Parallel branches and a Map over items (tasks inside both)', async () => {
    const arn = await createMachine(sfn, 'fan-out', {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'EchoA', States: { EchoA: { Type: 'Task', Resource: echoArn, End: true } } },
            { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2, ItemProcessor: { StartAt: 'EchoItem', States: { EchoItem: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'echo', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } } }, End: true } } },
          ],
          End: true,
        },
      },
    });
    const run = await runToEnd(sfn, arn, { items: [1, 2, 3] });
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(run.output!)).toEqual([{ echoed: { items: [1, 2, 3] } }, [{ echoed: 1 }, { echoed: 2 }, { echoed: 3 }]]);
    const t = types(await history(sfn, run.executionArn));
    expect(t).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'MapStateEntered', 'MapIterationStarted', 'MapIterationSucceeded', 'MapStateSucceeded', 'ParallelStateSucceeded']));
    expect(t.filter((x) => x === 'MapIterationSucceeded')).toHaveLength(3);
  });

  it('fails with the Fail state\'s error and cause, and times out a machine past its TimeoutSeconds', async () => {
    const fail = await createMachine(sfn, 'fail', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'because' } } });
    expect(await runToEnd(sfn, fail)).toMatchObject({ status: 'FAILED', error: 'Custom.Error', cause: 'because' });
    const slow = await createMachine(sfn, 'machine-timeout', { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } });
    const run = await runToEnd(sfn, slow);
    expect(run).toMatchObject({ status: 'TIMED_OUT' });
    expect(types(await history(sfn, run.executionArn)).at(-1)).toBe('ExecutionTimedOut');
  });

  it('stops a running execution (ABORTED, ExecutionAborted with the given error and cause)', async () => {
    const arn = await createMachine(sfn, 'stoppable', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not needed' }));
    expect(await finished(sfn, executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'not needed' });
    const last = (await history(sfn, executionArn!)).at(-1)!;
    expect(last).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Operator', cause: 'not needed' } });
  });

  it('fails an execution whose output exceeds 256 KiB with States.DataLimitExceeded', async () => {
    const arn = await createMachine(sfn, 'too-big', { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Parameters: { 'a.$': '$.s', 'b.$': '$.s' }, End: true } } });
    const run = await runToEnd(sfn, arn, { s: 'x'.repeat(200_000) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });
});
