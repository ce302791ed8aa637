/** Shared arrangements for the SQS contract tests (test/local/sqs*.test.ts). */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalHarness } from '../helpers/local.js';

export function sqsClient(local: LocalHarness, region?: string): SQSClient {
  // maxAttempts 1: an error must reach the test as it came, not be retried into something else.
  return new SQSClient({ ...local.clientConfig, ...(region ? { region } : {}), maxAttempts: 1 });
}

let counter = 0;

/** A queue with a fresh name; returns its URL and ARN. */
export async function newQueue(
  sqs: SQSClient,
  prefix: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string; name: string }> {
  const name = `${prefix}-${++counter}-${Date.now().toString(36)}${attributes.FifoQueue === 'true' ? '.fifo' : ''}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn!, name };
}

export { setTimeout as sleep } from 'node:timers/promises';
