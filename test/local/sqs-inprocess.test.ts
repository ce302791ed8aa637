import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAws } from '../../src/local/server.js';
import type { SqsApi } from '../../src/local/services/contracts.js';
import { ALL_SERVICES } from '../../src/local/services/index.js';
import type { LocalContext } from '../../src/local/service.js';
import type { LocalHarness } from '../helpers/local.js';
import { newQueue, sleep, sqsClient } from './sqs-fixtures.js';

/** The SqsApi other services get from ctx.service('sqs'), reached through a probe service's context. */
let aws: LocalAws;
let api: SqsApi;
let sqs: SQSClient;
beforeAll(async () => {
  let ctx: LocalContext | undefined;
  const probe = (c: LocalContext) => {
    ctx = c;
    return { name: 'probe', handle: async () => undefined, sendError: () => undefined };
  };
  aws = await new LocalAws({ dataDir: mkdtempSync(join(tmpdir(), 'tap-sqs-api-')), port: 0, services: [...ALL_SERVICES, probe] }).start();
  api = ctx!.service<SqsApi>('sqs');
  const harness = {
    clientConfig: { endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  } as LocalHarness;
  sqs = sqsClient(harness);
});
afterAll(() => aws.stop());

describe('SqsApi (in-process, for S3 notifications and the Lambda poller)', () => {
  it('sends by ARN to the same queue the HTTP API reads', async () => {
    const q = await newQueue(sqs, 'api-send');
    const { messageId } = await api.sendByArn(q.arn, '{"Records":[]}');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url }));
    expect(Messages![0]).toMatchObject({ MessageId: messageId, Body: '{"Records":[]}' });
    await expect(api.sendByArn(`${q.arn}-gone`, 'x')).rejects.toMatchObject({ code: 'QueueDoesNotExist' });
  });

  it('receives with the HTTP semantics: long poll, receive count, visibility, delete', async () => {
    const q = await newQueue(sqs, 'api-recv', { VisibilityTimeout: '30' });
    const polling = api.receiveByArn(q.arn, { maxMessages: 10, waitSeconds: 5 });
    await sleep(100);
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'hi', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
    const [message] = await polling;
    expect(message).toMatchObject({
      body: 'hi', md5OfBody: '49f68a5c8493ec2c0bf489821c21fc3b',
      attributes: { ApproximateReceiveCount: '1', SenderId: 'test' },
      messageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
    });
    expect((await api.attributesByArn(q.arn)).ApproximateNumberOfMessagesNotVisible).toBe('1');

    await api.changeVisibilityByArn(q.arn, message!.receiptHandle, 0);
    const [again] = await api.receiveByArn(q.arn, { maxMessages: 1, waitSeconds: 0 });
    expect(again!.attributes.ApproximateReceiveCount).toBe('2');
    await api.deleteByArn(q.arn, again!.receiptHandle);
    expect(await api.attributesByArn(q.arn)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('redrives to the DLQ on receiveByArn too', async () => {
    const dlq = await newQueue(sqs, 'api-dlq');
    const q = await newQueue(sqs, 'api-src');
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: q.url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
    }));
    await api.sendByArn(q.arn, 'fails');
    const [first] = await api.receiveByArn(q.arn, { maxMessages: 1, waitSeconds: 0 });
    await api.changeVisibilityByArn(q.arn, first!.receiptHandle, 0);
    expect(await api.receiveByArn(q.arn, { maxMessages: 1, waitSeconds: 0 })).toEqual([]);
    const [dead] = await api.receiveByArn(dlq.arn, { maxMessages: 1, waitSeconds: 0 });
    expect(dead).toMatchObject({ messageId: first!.messageId, attributes: { DeadLetterQueueSourceArn: q.arn } });
  });

  it('ends a long poll when its signal aborts', async () => {
    const q = await newQueue(sqs, 'api-abort');
    const controller = new AbortController();
    const started = Date.now();
    const polling = api.receiveByArn(q.arn, { maxMessages: 1, waitSeconds: 20, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await polling).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000); // far below the 20 s wait
  });
});
