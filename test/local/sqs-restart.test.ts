import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  ListMessageMoveTasksCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand,
  SetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { listening, startLocal, type LocalHarness } from '../helpers/local.js';
import { newQueue, sleep, sqsClient } from './sqs-fixtures.js';

const running: LocalHarness[] = [];
afterEach(async () => {
  for (const local of running.splice(0)) await local.stop();
});
const start = async (dataDir?: string) => {
  const local = await startLocal(dataDir ? { dataDir } : {});
  running.push(local);
  return local;
};

const counts = async (sqs: SQSClient, url: string) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return [Number(Attributes!.ApproximateNumberOfMessages), Number(Attributes!.ApproximateNumberOfMessagesNotVisible)];
};

describe('SQS persistence', () => {
  it('keeps queues and messages across a restart; an in-flight message stays in flight, then returns with its count', async () => {
    // arrange: one visible, one in flight, one deleted
    const before = await start();
    let sqs = sqsClient(before);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '7' }, tags: { env: 'test' } }));
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'a', MessageBody: 'in flight', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
        { Id: 'b', MessageBody: 'deleted' },
      ],
    }));
    const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 2 }))).Messages!;
    const inFlight = received.find((m) => m.Body === 'in flight')!;
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.find((m) => m.Body === 'deleted')!.ReceiptHandle }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'visible' }));
    const receivedAt = Date.now();

    // act
    await before.stop();
    running.splice(0);
    const after = await start(before.dataDir);
    sqs = sqsClient(after);
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl!;

    // assert
    expect(url).toBe(`${after.endpoint}/000000000000/durable`);
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }))).Attributes).toEqual({ VisibilityTimeout: '7' });
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ env: 'test' });
    expect(await counts(sqs, url)).toEqual([1, 1]);
    const now = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages!;
    expect(now.map((m) => m.Body)).toEqual(['visible']);

    await sleep(Math.max(0, receivedAt + 2100 - Date.now()));
    const back = (await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'], MessageAttributeNames: ['All'],
    }))).Messages!;
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ MessageId: inFlight.MessageId, Body: 'in flight', Attributes: { ApproximateReceiveCount: '2' } });
    expect(back[0]!.MessageAttributes).toEqual({ k: { DataType: 'String', StringValue: 'v' } });
  });

  it('loses nothing acknowledged when the server is killed with SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-sqs-kill-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const endpoint = await listening(child);
      const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'crash' }));
      for (let i = 0; i < 50; i += 10) {
        await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `m${i + j}` })) }));
      }
      const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, VisibilityTimeout: 60 }))).Messages!;
      for (const m of received.slice(0, 2)) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const after = await start(dataDir);
      const sqs2 = sqsClient(after);
      const url = (await sqs2.send(new GetQueueUrlCommand({ QueueName: 'crash' }))).QueueUrl!;
      expect(await counts(sqs2, url)).toEqual([45, 3]);
      // The receipt handle issued before the crash still works: it is the message's latest.
      await sqs2.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: received[2]!.ReceiptHandle, VisibilityTimeout: 0 }));
      expect(await counts(sqs2, url)).toEqual([46, 2]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('resumes a running DLQ redrive task after a restart', async () => {
    const before = await start();
    let sqs = sqsClient(before);
    const dlq = await newQueue(sqs, 'resume-dlq');
    const source = await newQueue(sqs, 'resume-src');
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: source.url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
    }));
    for (let i = 0; i < 30; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `m${i + j}` })) }));
    }
    const receiveAll = () => sqs.send(new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    while ((await receiveAll()).Messages?.length); // each message's second receive dead-letters it
    expect(await counts(sqs, dlq.url)).toEqual([30, 0]);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 40 }));
    await sleep(200);

    await before.stop();
    running.splice(0);
    const after = await start(before.dataDir);
    sqs = sqsClient(after);
    let task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results![0]!;
    expect(task.Status).toBe('RUNNING');
    expect(task.ApproximateNumberOfMessagesMoved).toBeGreaterThan(0);
    for (let i = 0; i < 60 && task.Status === 'RUNNING'; i++) {
      await sleep(50);
      task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results![0]!;
    }
    expect(task).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 30 });
    expect(await counts(sqs, source.url.replace(before.endpoint, after.endpoint))).toEqual([30, 0]);
  });

  it('stops promptly while a long poll is waiting', async () => {
    const local = await start();
    const sqs = sqsClient(local);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'waiting' }));
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).catch((error: Error) => error);
    await sleep(100);
    const started = Date.now();
    await local.stop();
    running.splice(0);
    expect(Date.now() - started).toBeLessThan(5000); // far below the 20 s poll: the stop did not wait for it
    // The poll settles: an empty answer, or a closed connection; never a 20 s hang.
    const outcome = await poll;
    expect(outcome instanceof Error || outcome.Messages === undefined).toBe(true);
  });
});

