import {
  CancelMessageMoveTaskCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand,
  SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, StartMessageMoveTaskCommand, type SQSClient,
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

const visible = async (url: string) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes!.ApproximateNumberOfMessages);
};
const receiveAll = (url: string) =>
  sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
  }));

/** A source queue whose messages go to `dlq` after `maxReceiveCount` receives. */
async function sourceFor(dlqArn: string, prefix: string, maxReceiveCount: number) {
  const source = await newQueue(sqs, prefix);
  await sqs.send(new SetQueueAttributesCommand({
    QueueUrl: source.url,
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
  }));
  return source;
}

/** Sends `count` messages to `source` and receives past maxReceiveCount (1) so they all land in the DLQ. */
async function deadLetter(source: { url: string }, count: number, tag: string) {
  for (let i = 0; i < count; i += 10) {
    const n = Math.min(10, count - i);
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: source.url,
      Entries: Array.from({ length: n }, (_, j) => ({ Id: `m${i + j}`, MessageBody: `${tag}-${i + j}` })),
    }));
  }
  while ((await receiveAll(source.url)).Messages?.length);
  expect(await visible(source.url)).toBe(0);
}

describe('SQS dead-letter queues', () => {
  it('moves a message to the DLQ on the receive that would exceed maxReceiveCount, keeping it intact', async () => {
    const dlq = await newQueue(sqs, 'dlq');
    const source = await sourceFor(dlq.arn, 'src', 2);
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: source.url, MessageBody: 'poison', MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } },
    }));

    const first = (await receiveAll(source.url)).Messages![0]!;
    expect((await receiveAll(source.url)).Messages![0]!.Attributes!.ApproximateReceiveCount).toBe('2');
    expect((await receiveAll(source.url)).Messages).toBeUndefined(); // the third receive moves it instead
    expect(await visible(source.url)).toBe(0);

    const moved = (await receiveAll(dlq.url)).Messages![0]!;
    expect(moved).toMatchObject({ MessageId: sent.MessageId, Body: 'poison', MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } } });
    expect(moved.Attributes).toMatchObject({
      SentTimestamp: first.Attributes!.SentTimestamp,
      DeadLetterQueueSourceArn: source.arn,
      ApproximateReceiveCount: '3', // counted across queues, as the API reference says
    });
  });

  it('keeps counting a standard message\'s retention from its first enqueue in the DLQ', async () => {
    const dlq = await newQueue(sqs, 'dlq-ret', { MessageRetentionPeriod: '120' });
    const source = await sourceFor(dlq.arn, 'src-ret', 1);
    const start = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'aging' }));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 100_000);
    await receiveAll(source.url);
    await receiveAll(source.url); // dead-letters it, 100 s after it was sent
    expect(await visible(dlq.url)).toBe(1);
    vi.setSystemTime(start + 125_000); // 25 s in the DLQ, 125 s since enqueue > 120 s retention
    expect(await visible(dlq.url)).toBe(0);
  });

  it('redrives DLQ messages back to their source queues, reporting progress', async () => {
    const dlq = await newQueue(sqs, 'dlq-move');
    const sourceA = await sourceFor(dlq.arn, 'src-a', 1);
    const sourceB = await sourceFor(dlq.arn, 'src-b', 1);
    await deadLetter(sourceA, 3, 'a');
    await deadLetter(sourceB, 2, 'b');
    expect(await visible(dlq.url)).toBe(5);

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 20 }));
    const running = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results![0]!;
    expect(running).toMatchObject({ Status: 'RUNNING', TaskHandle, SourceArn: dlq.arn, ApproximateNumberOfMessagesToMove: 5, MaxNumberOfMessagesPerSecond: 20 });
    expect(running.DestinationArn).toBeUndefined();
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });

    let task = running;
    for (let i = 0; i < 50 && task.Status === 'RUNNING'; i++) {
      await sleep(50);
      task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results![0]!;
    }
    expect(task).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 5, ApproximateNumberOfMessagesToMove: 5 });
    expect(task.TaskHandle).toBeUndefined();
    expect(await visible(dlq.url)).toBe(0);

    const back = (await receiveAll(sourceA.url)).Messages!;
    expect(back.map((m) => m.Body).sort()).toEqual(['a-0', 'a-1', 'a-2']);
    // Redriven messages start over, or they would bounce straight back to the DLQ.
    expect(back.every((m) => m.Attributes!.ApproximateReceiveCount === '1')).toBe(true);
    expect((await receiveAll(sourceB.url)).Messages!.map((m) => m.Body).sort()).toEqual(['b-0', 'b-1']);
  });

  it('moves to an explicit destination, and cancels a running task', async () => {
    const dlq = await newQueue(sqs, 'dlq-cancel');
    const source = await sourceFor(dlq.arn, 'src-cancel', 1);
    const elsewhere = await newQueue(sqs, 'elsewhere');
    await deadLetter(source, 20, 'c');

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: dlq.arn, DestinationArn: elsewhere.arn, MaxNumberOfMessagesPerSecond: 10,
    }));
    await sleep(350);
    const { ApproximateNumberOfMessagesMoved: moved } = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(20);
    await sleep(250);

    const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }))).Results!;
    expect(task).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: moved, DestinationArn: elsewhere.arn });
    expect(await visible(elsewhere.url)).toBe(moved);
    expect(await visible(dlq.url)).toBe(20 - moved!);
    expect(await visible(source.url)).toBe(0);
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses move tasks on queues that are not dead-letter queues or do not exist', async () => {
    const plain = await newQueue(sqs, 'plain');
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `${plain.arn}-gone` }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: 'not-an-arn' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect((await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: plain.arn }))).Results).toEqual([]);
  });
});
