import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, eventually, text, zipOf } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

// Event retries locally wait 50 ms instead of AWS's minutes.
process.env.TAP_LAMBDA_RETRY_DELAYS_MS = '50';

let local: LocalHarness;
let lambda: LambdaClient;
let sqs: SQSClient;
const connect = () => {
  lambda = new LambdaClient({ ...local.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient(local.clientConfig);
};
beforeAll(async () => {
  local = await startLocal();
  connect();
});
afterAll(() => local.stop());

const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
async function queue(name: string, visibility = '30') {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: visibility } }));
  return QueueUrl!;
}
const receiveOne = async (url: string) =>
  (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }))).Messages?.[0];
async function counts(url: string) {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

describe('asynchronous invocation', () => {
  it('retries a failing event, then sends the record to OnFailure and the event to the dead-letter queue', async () => {
    const failures = await queue('failures');
    const dlq = await queue('dlq');
    await createFunction(lambda, 'flaky', { 'index.mjs': `export const handler = async (e) => { throw new Error('nope ' + e.n); };` }, {
      DeadLetterConfig: { TargetArn: arnOf('dlq') },
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'flaky',
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: arnOf('failures') } },
    }));
    const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
    expect(accepted.StatusCode).toBe(202);
    const record = JSON.parse((await eventually(() => receiveOne(failures))).Body!);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: accepted.$metadata.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'nope 1' },
    });
    expect((await eventually(() => receiveOne(dlq))).Body).toBe('{"n":1}');
  });

  it('sends successes to OnSuccess', async () => {
    const successes = await queue('successes');
    await createFunction(lambda, 'fine', { 'index.mjs': `export const handler = async (e) => ({ doubled: e.n * 2 });` });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'fine', DestinationConfig: { OnSuccess: { Destination: arnOf('successes') } } }));
    await lambda.send(new InvokeCommand({ FunctionName: 'fine', InvocationType: 'Event', Payload: Buffer.from('{"n":21}') }));
    const record = JSON.parse((await eventually(() => receiveOne(successes))).Body!);
    expect(record).toMatchObject({ requestContext: { condition: 'Success', approximateInvokeCount: 1 }, responsePayload: { doubled: 42 } });
  });
});

describe('SQS event source mappings', () => {
  const handler = `export const handler = async (event) => {
    console.log('batch', event.Records.map((r) => r.body).join(','));
    if (event.Records.some((r) => r.body === 'crash')) throw new Error('crash');
    globalThis.last = event.Records[0];
    return { batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
  };`;

  it('validates mappings as AWS does', async () => {
    await queue('short', '1');
    await createFunction(lambda, 'consumer', { 'index.mjs': handler }, { Timeout: 2 });
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: arnOf('short') }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Queue visibility timeout: 1 seconds is less than Function timeout: 2 seconds',
    });
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'nobody', EventSourceArn: arnOf('short') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('deletes the successes of a batch and keeps the reported failures (ReportBatchItemFailures)', async () => {
    const url = await queue('jobs', '2');
    const created = await lambda.send(new CreateEventSourceMappingCommand({
      FunctionName: 'consumer',
      EventSourceArn: arnOf('jobs'),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }));
    expect(created).toMatchObject({ State: 'Creating', BatchSize: 10, MaximumBatchingWindowInSeconds: 0, EventSourceArn: arnOf('jobs'), StateTransitionReason: 'USER_INITIATED' });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe('Enabled');
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: arnOf('jobs') }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: ['good-1', 'bad', 'good-2'].map((b, i) => ({ Id: String(i), MessageBody: b, MessageAttributes: { kind: { DataType: 'String', StringValue: b } } })),
    }));
    await eventually(async () => {
      const c = await counts(url);
      return c.visible + c.inFlight === 1 ? c : undefined;
    });
    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false }));
    expect(disabled.State).toBe('Disabling');
    const left = await eventually(() => receiveOne(url));
    expect(left.Body).toBe('bad');
    expect(Number(left.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe('Disabled');
  });

  it('passes the SQS event exactly as AWS shapes it, and deletes nothing when the function fails', async () => {
    const url = await queue('crashes', '30');
    await createFunction(lambda, 'recorder', {
      'index.mjs': `export const handler = async (event) => { console.log(JSON.stringify(event)); if (event.Records[0].body === 'crash') throw new Error('crash'); };`,
    });
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'recorder', EventSourceArn: arnOf('crashes'), BatchSize: 1 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'crash', MessageAttributes: { a: { DataType: 'String', StringValue: 'x' } } }));
    const c = await eventually(async () => {
      const now = await counts(url);
      return now.inFlight === 1 ? now : undefined;
    });
    expect(c.visible).toBe(0);
    const { CloudWatchLogsClient, FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = new CloudWatchLogsClient(local.clientConfig);
    const line = await eventually(async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/recorder', filterPattern: 'Records' })).catch(() => undefined);
      return out?.events?.[0]?.message;
    });
    const record = JSON.parse(line.split('\t')[3]!).Records[0];
    expect(record).toMatchObject({
      body: 'crash',
      eventSource: 'aws:sqs',
      eventSourceARN: arnOf('crashes'),
      awsRegion: 'us-east-1',
      messageAttributes: { a: { stringValue: 'x', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(Object.keys(record).sort()).toEqual(
      ['attributes', 'awsRegion', 'body', 'eventSource', 'eventSourceARN', 'md5OfBody', 'messageAttributes', 'messageId', 'receiptHandle'],
    );
    expect(Object.keys(record.attributes)).toEqual(expect.arrayContaining(['SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']));
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    expect(deleted.State).toBe('Deleting');
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('checks batching settings and lists mappings by function', async () => {
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
    expect(EventSourceMappings?.map((m) => m.EventSourceArn)).toEqual([arnOf('jobs')]);
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: EventSourceMappings![0]!.UUID, BatchSize: 20 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });
});

describe('policies, invoke configs, tags and concurrency', () => {
  it('stores permissions and returns the policy document', async () => {
    await createFunction(lambda, 'guarded', { 'index.mjs': `export const handler = async () => 'ok';` });
    const added = await lambda.send(new AddPermissionCommand({
      FunctionName: 'guarded',
      StatementId: 's3-invoke',
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceArn: 'arn:aws:s3:::bucket',
      SourceAccount: '000000000000',
    }));
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:guarded',
      Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' }, StringEquals: { 'AWS:SourceAccount': '000000000000' } },
    });
    await expect(lambda.send(new AddPermissionCommand({ FunctionName: 'guarded', StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: '*' })))
      .rejects.toMatchObject({ name: 'ResourceConflictException' });
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' }))).Policy!);
    expect(policy).toMatchObject({ Version: '2012-10-17', Statement: [{ Sid: 's3-invoke' }] });
    await lambda.send(new AddPermissionCommand({ FunctionName: 'guarded', StatementId: 'temp', Action: 'lambda:InvokeFunction', Principal: '111122223333' }));
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 'temp' }));
    await expect(lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 'temp' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('puts, updates, lists and deletes the event invoke config', async () => {
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'guarded' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'guarded', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 }));
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({
      FunctionName: 'guarded',
      DestinationConfig: { OnFailure: { Destination: arnOf('failures') } },
    }));
    expect(updated).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:guarded:$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnFailure: { Destination: arnOf('failures') } },
    });
    expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'guarded' }))).FunctionEventInvokeConfigs).toHaveLength(1);
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'guarded', MaximumRetryAttempts: 3 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'guarded' }));
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'guarded' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('tags by ARN', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:guarded';
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { team: 'data', env: 'dev' } }));
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['env'] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ team: 'data' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'guarded' }))).Tags).toEqual({ team: 'data' });
  });

  it('throttles a function with reserved concurrency 0 and reports account settings', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'guarded', ReservedConcurrentExecutions: 0 }));
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'guarded' }))).rejects.toMatchObject({ name: 'TooManyRequestsException', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'guarded', ReservedConcurrentExecutions: 950 }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'guarded' }));
    expect(text((await lambda.send(new InvokeCommand({ FunctionName: 'guarded' }))).Payload)).toBe('"ok"');
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000, CodeSizeZipped: 52428800 });
    expect(settings.AccountUsage?.FunctionCount).toBeGreaterThanOrEqual(5);
  });
});

describe('code from S3', () => {
  it('creates a function from an S3 object, and names S3 errors as Lambda does', async (ctx) => {
    if (!(local.aws.health().services as string[]).includes('s3')) ctx.skip();
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'fn.zip', Body: zipOf({ 'index.mjs': `export const handler = async () => 's3';` }) }));
    await createFunction(lambda, 'froms3', {}, { Code: { S3Bucket: 'code', S3Key: 'fn.zip' } });
    expect(text((await lambda.send(new InvokeCommand({ FunctionName: 'froms3' }))).Payload)).toBe('"s3"');
    await expect(createFunction(lambda, 'nokey', {}, { Code: { S3Bucket: 'code', S3Key: 'missing.zip' } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('S3 Error Code: NoSuchKey'),
    });
  });

  it('takes the object as it is now: the same key with new code is new code (the code store remembers S3 objects)', async (ctx) => {
    if (!(local.aws.health().services as string[]).includes('s3')) ctx.skip();
    // arrange: a function from code-v1, remembered by the code store
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'code-again' }));
    const put = (body: string) => s3.send(new PutObjectCommand({ Bucket: 'code-again', Key: 'fn.zip', Body: zipOf({ 'index.mjs': `export const handler = async () => '${body}';` }) }));
    await put('v1');
    const first = await createFunction(lambda, 'again-1', {}, { Code: { S3Bucket: 'code-again', S3Key: 'fn.zip' } });
    const same = await createFunction(lambda, 'again-2', {}, { Code: { S3Bucket: 'code-again', S3Key: 'fn.zip' } });

    // act: the same key, other bytes
    await put('v2');
    const changed = await createFunction(lambda, 'again-3', {}, { Code: { S3Bucket: 'code-again', S3Key: 'fn.zip' } });

    // assert
    expect(same.CodeSha256).toBe(first.CodeSha256);
    expect(changed.CodeSha256).not.toBe(first.CodeSha256);
    expect(text((await lambda.send(new InvokeCommand({ FunctionName: 'again-2' }))).Payload)).toBe('"v1"');
    expect(text((await lambda.send(new InvokeCommand({ FunctionName: 'again-3' }))).Payload)).toBe('"v2"');
  });
});

describe('restart', () => {
  it('resumes an accepted Event invocation that a stop interrupted', async () => {
    const done = await queue('durable-done');
    await createFunction(lambda, 'durable', {
      'index.mjs': `export const handler = async (e) => { await new Promise((r) => setTimeout(r, 1500)); return e.id; };`,
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'durable', DestinationConfig: { OnSuccess: { Destination: arnOf('durable-done') } } }));
    await lambda.send(new InvokeCommand({ FunctionName: 'durable', InvocationType: 'Event', Payload: Buffer.from('{"id":"e-1"}') }));
    await new Promise((r) => setTimeout(r, 400));
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir });
    connect();
    const record = JSON.parse((await eventually(() => receiveOne(done))).Body!);
    expect(record).toMatchObject({ requestContext: { condition: 'Success' }, responsePayload: 'e-1' });
  });

  it('keeps functions, settings and mappings, and resumes polling', async () => {
    const url = await queue('after-restart');
    await createFunction(lambda, 'survivor', { 'index.mjs': `export const handler = async (e) => ({ got: e.Records?.length ?? 0 });` });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'survivor', EventSourceArn: arnOf('after-restart') }));
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir });
    connect();
    expect(text((await lambda.send(new InvokeCommand({ FunctionName: 'survivor', Payload: Buffer.from('{}') }))).Payload)).toBe('{"got":0}');
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'guarded' }))).Tags).toEqual({ team: 'data' });
    expect(JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' }))).Policy!).Statement).toHaveLength(1);
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'survivor' }));
    expect(EventSourceMappings?.[0]?.State).toBe('Enabled');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello again' }));
    await eventually(async () => {
      const c = await counts(url);
      return c.visible + c.inFlight === 0 ? true : undefined;
    });
  });
});
