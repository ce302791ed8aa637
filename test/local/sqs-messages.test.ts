import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, DeleteMessageCommand,
  GetQueueAttributesCommand, type MessageAttributeValue, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { newQueue, sleep, sqsClient } from './sqs-fixtures.js';

let local: LocalHarness;
let sqs: SQSClient;
beforeAll(async () => {
  local = await startLocal();
  sqs = sqsClient(local);
});
afterAll(() => local.stop());
afterEach(() => vi.useRealTimers());

const counts = async (url: string) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return [Attributes!.ApproximateNumberOfMessages, Attributes!.ApproximateNumberOfMessagesNotVisible, Attributes!.ApproximateNumberOfMessagesDelayed].map(Number);
};
const receive = (url: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], ...extra }));

describe('SQS messages', () => {
  it('computes MD5OfMessageAttributes as AWS does (AWS SDK sample digests) and returns the attributes', async () => {
    const q = await newQueue(sqs, 'md5');
    const cases: Array<{ attributes: Record<string, MessageAttributeValue>; md5: string }> = [
      {
        attributes: {
          test_attribute_name_2: { DataType: 'String', StringValue: 'test_attribute_value_2' },
          test_attribute_name_1: { DataType: 'String', StringValue: 'test_attribute_value_1' },
        },
        md5: 'd53f3b558fe951154770f25cb63dbba9',
      },
      {
        attributes: { test_attribute_name: { DataType: 'Binary', BinaryValue: new TextEncoder().encode('test_attribute_value') } },
        md5: '23f6bd27ea87aab7dfeadcc9aebee495',
      },
      {
        attributes: { ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } },
        md5: 'd21ae90c49061e927f57df5f5d72be1f',
      },
    ];
    for (const { attributes, md5 } of cases) {
      // The SDK itself rejects the response if MD5OfMessageBody does not match the body it sent.
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'héllo ✓', MessageAttributes: attributes }));
      expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo ✓', 'utf8').digest('hex'));
      expect(sent.MD5OfMessageAttributes).toBe(md5);
      const { Messages } = await receive(q.url);
      expect(Messages![0]!.MD5OfMessageAttributes).toBe(md5);
      expect(Messages![0]!.MessageAttributes).toEqual(attributes);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: Messages![0]!.ReceiptHandle }));
    }
  });

  it('returns system attributes, AWSTraceHeader and only the message attributes asked for', async () => {
    const q = await newQueue(sqs, 'attrs');
    const before = Date.now();
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: q.url,
      MessageBody: 'b',
      MessageAttributes: { 'app.kind': { DataType: 'String', StringValue: 'x' }, other: { DataType: 'Number', StringValue: '2' } },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    }));
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const { Messages } = await receive(q.url, { MessageAttributeNames: ['app.*'], MessageSystemAttributeNames: ['All'] });
    const m = Messages![0]!;
    expect(Object.keys(m.MessageAttributes!)).toEqual(['app.kind']);
    expect(m.Attributes).toMatchObject({ SenderId: 'test', ApproximateReceiveCount: '1', AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' });
    expect(Number(m.Attributes!.SentTimestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(m.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(m.Attributes!.SentTimestamp));
  });

  it('rejects bad messages: empty, invalid characters, too large, too many attributes', async () => {
    const q = await newQueue(sqs, 'bad', { MaximumMessageSize: '1024' });
    const send = (input: Partial<ConstructorParameters<typeof SendMessageCommand>[0]>) =>
      sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'ok', ...input }));
    await expect(send({ MessageBody: '' })).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(send({ MessageBody: 'bell\u0007' })).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(send({ MessageBody: 'x'.repeat(1025) })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ DelaySeconds: 901 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    await expect(send({ MessageAttributes: eleven })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('sends batches with per-entry failures and validates the batch', async () => {
    const q = await newQueue(sqs, 'batch');
    const result = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: q.url,
      Entries: [
        { Id: 'good-1', MessageBody: 'one' },
        { Id: 'bad', MessageBody: 'nul\u0000' },
        { Id: 'good_2', MessageBody: 'two', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
      ],
    }));
    expect(result.Successful!.map((s) => s.Id)).toEqual(['good-1', 'good_2']);
    expect(result.Successful![1]!.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(result.Failed).toEqual([{ Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) }]);
    expect(await counts(q.url)).toEqual([2, 0, 0]);

    const batch = (Entries: Array<{ Id: string; MessageBody: string }>) => sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries }));
    await expect(batch([])).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    await expect(batch([{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }])).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(batch([{ Id: 'no spaces', MessageBody: 'x' }])).rejects.toMatchObject({ name: 'InvalidBatchEntryId' });
    await expect(batch(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
  });

  it('receives up to MaxNumberOfMessages and validates it', async () => {
    const q = await newQueue(sqs, 'many');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `m${i}` })) }));
    expect((await receive(q.url, { MaxNumberOfMessages: 3 })).Messages).toHaveLength(3);
    expect((await receive(q.url)).Messages).toHaveLength(1);
    await expect(receive(q.url, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(receive(q.url, { WaitTimeSeconds: 21 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('hides a received message until its visibility timeout ends, then redelivers it with a higher receive count', async () => {
    const q = await newQueue(sqs, 'vis');
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'again' }));
    const first = (await receive(q.url, { VisibilityTimeout: 1 })).Messages![0]!;
    expect(first.Attributes!.ApproximateReceiveCount).toBe('1');
    expect((await receive(q.url)).Messages).toBeUndefined();
    expect(await counts(q.url)).toEqual([0, 1, 0]);

    await sleep(1100);
    const second = (await receive(q.url, { VisibilityTimeout: 1 })).Messages![0]!;
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.Attributes!.ApproximateReceiveCount).toBe('2');
    expect(second.Attributes!.ApproximateFirstReceiveTimestamp).toBe(first.Attributes!.ApproximateFirstReceiveTimestamp);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
  });

  it('delays a message, and a long poll wakes when the delay ends', async () => {
    const q = await newQueue(sqs, 'delay');
    // The delay runs from the send, and an acknowledged send has been synced to disk (which takes a
    // while on a loaded machine): measure from before it.
    const sent = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'later', DelaySeconds: 1 }));
    expect(await counts(q.url)).toEqual([0, 0, 1]);
    const started = Date.now();
    const { Messages } = await receive(q.url, { WaitTimeSeconds: 5 });
    expect(Messages![0]!.Body).toBe('later');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(4500); // before the 5 s wait ends
  });

  it('returns a long poll as soon as a message is sent', async () => {
    const q = await newQueue(sqs, 'poll');
    const started = Date.now();
    const polling = receive(q.url, { WaitTimeSeconds: 10 });
    await sleep(200);
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'wake up' }));
    const { Messages } = await polling;
    expect(Messages![0]!.Body).toBe('wake up');
    expect(Date.now() - started).toBeLessThan(5000); // half the 10 s wait
  });

  it('returns an empty long poll after WaitTimeSeconds', async () => {
    const q = await newQueue(sqs, 'empty', { ReceiveMessageWaitTimeSeconds: '1' });
    const started = Date.now();
    expect((await receive(q.url)).Messages).toBeUndefined(); // the queue's wait time applies
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('deletes only with the latest receipt handle; old or repeated deletes succeed without effect', async () => {
    const q = await newQueue(sqs, 'del');
    const other = await newQueue(sqs, 'del-other');
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'x' }));
    const old = (await receive(q.url, { VisibilityTimeout: 0 })).Messages![0]!.ReceiptHandle!;
    const latest = (await receive(q.url, { VisibilityTimeout: 30 })).Messages![0]!.ReceiptHandle!;

    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: old }));
    expect(await counts(q.url)).toEqual([0, 1, 0]);
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: other.url, ReceiptHandle: latest }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: 'garbage' }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: latest }));
    expect(await counts(q.url)).toEqual([0, 0, 0]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: latest }));
  });

  it('deletes in batches with per-entry failures', async () => {
    const q = await newQueue(sqs, 'delbatch');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const { Messages } = await receive(q.url, { MaxNumberOfMessages: 10 });
    const result = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: q.url,
      Entries: [...Messages!.map((m, i) => ({ Id: `ok${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'nope' }],
    }));
    expect(result.Successful!.map((s) => s.Id)).toEqual(['ok0', 'ok1']);
    expect(result.Failed).toEqual([{ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }]);
    expect(await counts(q.url)).toEqual([0, 0, 0]);
  });

  it('changes visibility one by one and in batches', async () => {
    const q = await newQueue(sqs, 'chvis');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const [a, b] = (await receive(q.url, { MaxNumberOfMessages: 2, VisibilityTimeout: 30 })).Messages!;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q.url, ReceiptHandle: a!.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = (await receive(q.url)).Messages![0]!;
    expect(again.MessageId).toBe(a!.MessageId);
    expect(again.Attributes!.ApproximateReceiveCount).toBe('2');

    const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: q.url,
      Entries: [
        { Id: 'b', ReceiptHandle: b!.ReceiptHandle, VisibilityTimeout: 0 },
        { Id: 'stale', ReceiptHandle: a!.ReceiptHandle, VisibilityTimeout: 0 },
      ],
    }));
    expect(batch.Successful).toEqual([{ Id: 'b' }]);
    expect(batch.Failed).toEqual([{ Id: 'stale', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('ReceiptHandle') }]);
    expect((await receive(q.url)).Messages![0]!.MessageId).toBe(b!.MessageId);
    await expect(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q.url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43_201 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('purges a queue once per 60 seconds', async () => {
    const q = await newQueue(sqs, 'purge');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    await receive(q.url);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: q.url }));
    expect(await counts(q.url)).toEqual([0, 0, 0]);
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: q.url }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('drops messages past the retention period', async () => {
    const q = await newQueue(sqs, 'retention', { MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'old' }));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await counts(q.url)).toEqual([0, 0, 0]);
    expect((await receive(q.url)).Messages).toBeUndefined();
  });

  it('keeps FIFO order per message group, blocks a group in flight, and deduplicates', async () => {
    const q = await newQueue(sqs, 'fifo', { FifoQueue: 'true' });
    const send = (body: string, group: string, dedup = body) =>
      sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
    const a1 = await send('a1', 'A');
    await send('b1', 'B');
    const a2 = await send('a2', 'A');
    expect(BigInt(a2.SequenceNumber!)).toBeGreaterThan(BigInt(a1.SequenceNumber!));
    const dup = await send('a1-again', 'A', 'a1');
    expect(dup.MessageId).toBe(a1.MessageId);

    const first = (await receive(q.url, { MaxNumberOfMessages: 1, VisibilityTimeout: 30 })).Messages!;
    expect(first.map((m) => m.Body)).toEqual(['a1']);
    // Group A is blocked while a1 is in flight; only B is available.
    const next = (await receive(q.url, { MaxNumberOfMessages: 10 })).Messages!;
    expect(next.map((m) => m.Body)).toEqual(['b1']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: first[0]!.ReceiptHandle }));
    const last = (await receive(q.url, { MaxNumberOfMessages: 10 })).Messages!;
    expect(last.map((m) => [m.Body, m.Attributes!.MessageGroupId])).toEqual([['a2', 'A']]);

    // A long poll waiting on a blocked group wakes as soon as the blocking message is deleted.
    const polling = receive(q.url, { WaitTimeSeconds: 5 });
    await send('a3', 'A');
    await sleep(100);
    const started = Date.now();
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: last[0]!.ReceiptHandle }));
    expect((await polling).Messages!.map((m) => m.Body)).toEqual(['a3']);
    expect(Date.now() - started).toBeLessThan(3000); // before the 5 s wait ends

    await expect(sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'x', MessageDeduplicationId: 'x' }))).rejects.toMatchObject({
      name: 'MissingParameter',
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'x', MessageGroupId: 'A' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue', // no MessageDeduplicationId and no ContentBasedDeduplication
    });
  });
});
