import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand, ListQueueTagsCommand, SetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { newQueue, sqsClient } from './sqs-fixtures.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
});
afterAll(() => local.stop());

describe('SQS queues', () => {
  it('creates a queue with attributes, at an endpoint URL, and reports its attributes', async () => {
    const sqs = sqsClient(local);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45', DelaySeconds: '2' }, tags: { team: 'a' } }),
    );
    expect(QueueUrl).toBe(`${local.endpoint}/000000000000/orders`);

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:orders',
      VisibilityTimeout: '45',
      DelaySeconds: '2',
      MessageRetentionPeriod: '345600',
      MaximumMessageSize: '1048576',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    expect(Number(Attributes!.CreatedTimestamp)).toBeCloseTo(Date.now() / 1000, -1);
    const named = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }));
    expect(named.Attributes).toEqual({ VisibilityTimeout: '45', QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:orders' });
    const none = await sqs.send(new GetQueueAttributesCommand({ QueueUrl }));
    expect(none.Attributes).toBeUndefined();
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: 'a' });
  });

  it('returns the same URL for the same attributes, QueueNameExists for different ones', async () => {
    const sqs = sqsClient(local);
    const first = await sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '10' } }));
    const again = await sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '10' } }));
    expect(again.QueueUrl).toBe(first.QueueUrl);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '11' } }))).rejects.toMatchObject({
      name: 'QueueNameExists',
      Code: 'QueueAlreadyExists',
    });
  });

  it('rejects bad names and attributes with AWS error codes', async () => {
    const sqs = sqsClient(local);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'has space' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'plain.fifo' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'no-suffix', Attributes: { FifoQueue: 'true' } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'vt', Attributes: { VisibilityTimeout: '43201' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'unknown', Attributes: { Colour: 'blue' } as Record<string, string> })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('answers a missing queue with QueueDoesNotExist and the query-compatible header', async () => {
    const sqs = sqsClient(local);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'absent' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
    const res = await fetch(local.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.GetQueueUrl', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueName: 'absent' }),
    });
    expect(res.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(((await res.json()) as { __type: string }).__type).toBe('com.amazonaws.sqs#QueueDoesNotExist');
  });

  it('lists queues by prefix, one page at a time', async () => {
    const sqs = sqsClient(local);
    for (const n of ['c', 'a', 'b']) await sqs.send(new CreateQueueCommand({ QueueName: `page-${n}` }));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-' }));
    expect(all.QueueUrls).toEqual(['a', 'b', 'c'].map((n) => `${local.endpoint}/000000000000/page-${n}`));
    expect(all.NextToken).toBeUndefined();

    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2 }));
    expect(first.QueueUrls).toHaveLength(2);
    const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls).toEqual([`${local.endpoint}/000000000000/page-c`]);
    expect(second.NextToken).toBeUndefined();
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'nothing-' }))).QueueUrls).toBeUndefined();
  });

  it('keeps regions apart', async () => {
    const sqs = sqsClient(local);
    const other = sqsClient(local, 'us-west-2');
    await sqs.send(new CreateQueueCommand({ QueueName: 'regional' }));
    await expect(other.send(new GetQueueUrlCommand({ QueueName: 'regional' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('sets attributes and bumps LastModifiedTimestamp; rejects read-only ones', async () => {
    const sqs = sqsClient(local);
    const q = await newQueue(sqs, 'set');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { MessageRetentionPeriod: '120', Policy: '{"Version":"2012-10-17"}' } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['MessageRetentionPeriod', 'Policy'] }));
    expect(Attributes).toEqual({ MessageRetentionPeriod: '120', Policy: '{"Version":"2012-10-17"}' });
    await expect(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { QueueArn: 'x' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
    await expect(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['Nope' as 'All'] })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('tags and untags', async () => {
    const sqs = sqsClient(local);
    const q = await newQueue(sqs, 'tags');
    await sqs.send(new TagQueueCommand({ QueueUrl: q.url, Tags: { a: '1', b: '2' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: q.url, TagKeys: ['a'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: q.url }))).Tags).toEqual({ b: '2' });
    await sqs.send(new UntagQueueCommand({ QueueUrl: q.url, TagKeys: ['b'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: q.url }))).Tags).toBeUndefined();
  });

  it('validates redrive policies and lists dead-letter source queues', async () => {
    const sqs = sqsClient(local);
    const dlq = await newQueue(sqs, 'dlq');
    const sources = [await newQueue(sqs, 'src-a'), await newQueue(sqs, 'src-b')];
    for (const source of sources) {
      await sqs.send(new SetQueueAttributesCommand({
        QueueUrl: source.url,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '3' }) },
      }));
    }
    const policy = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sources[0]!.url, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(policy.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });

    const listed = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
    expect(listed.queueUrls?.sort()).toEqual(sources.map((s) => s.url).sort());
    const page = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url, MaxResults: 1 }));
    expect(page.queueUrls).toHaveLength(1);
    expect(page.NextToken).toBeDefined();

    const setPolicy = (value: object) =>
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: sources[1]!.url, Attributes: { RedrivePolicy: JSON.stringify(value) } }));
    await expect(setPolicy({ deadLetterTargetArn: `${dlq.arn}-gone`, maxReceiveCount: 3 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(setPolicy({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 0 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlq.url, Attributes: { RedriveAllowPolicy: '{"redrivePermission":"denyAll"}' } }));
    await expect(setPolicy({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('deletes a queue', async () => {
    const sqs = sqsClient(local);
    const q = await newQueue(sqs, 'doomed');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: q.name }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('creates FIFO queues with their own attributes', async () => {
    const sqs = sqsClient(local);
    const q = await newQueue(sqs, 'ordered', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'std', Attributes: { ContentBasedDeduplication: 'true' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });
});
