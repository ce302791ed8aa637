/**
 * Looking at SQS messages without consuming them. SQS has no "peek": we receive with a short
 * visibility timeout and at once make what we received visible again (ChangeMessageVisibility 0). The
 * receive still counts: each look adds one to a message's receive count, which is why this is only
 * ever done on the dead-letter queue (it has no redrive policy of its own), never on the ingest queue.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { MalformedMessageError, parseMessage } from '../handlers/message.js';

/** A dead-lettered message, as the commands show it. */
export interface QueueMessage {
  readonly messageId: string;
  /** The S3 objects the message announces (usually one). Empty if the body is not an S3 event. */
  readonly files: ReadonlyArray<{ key: string; versionId?: string; etag?: string; eventTime: string; size?: number }>;
  readonly receiveCount: number;
  /** When the message was first sent (to the ingest queue, by S3). */
  readonly sentAt?: string;
  /** When it was first received: the first processing attempt. */
  readonly firstReceivedAt?: string;
  /** Why the body is not understood, when it is not. */
  readonly unreadable?: string;
  readonly body: string;
}

export interface Received {
  readonly message: QueueMessage;
  readonly raw: Message;
}

/** An S3 event body → the files it names. Never throws: an unreadable body is reported as such. */
export function describeMessage(raw: Message): QueueMessage {
  const attrs = raw.Attributes ?? {};
  const time = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : undefined);
  const body = raw.Body ?? '';
  let files: QueueMessage['files'] = [];
  let unreadable: string | undefined;
  try {
    const parsed = parseMessage(body);
    if (parsed.kind === 'objects') {
      files = parsed.files.map((f) => ({
        key: f.key,
        eventTime: f.eventTime,
        ...(f.versionId !== undefined && { versionId: f.versionId }),
        ...(f.etag !== undefined && { etag: f.etag }),
        ...(f.size !== undefined && { size: f.size }),
      }));
    } else unreadable = 's3:TestEvent (names no file)';
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    unreadable = error.message;
  }
  const sentAt = time(attrs.SentTimestamp);
  const firstReceivedAt = time(attrs.ApproximateFirstReceiveTimestamp);
  return {
    messageId: raw.MessageId ?? '',
    files,
    receiveCount: Number(attrs.ApproximateReceiveCount ?? 0),
    ...(sentAt && { sentAt }),
    ...(firstReceivedAt && { firstReceivedAt }),
    ...(unreadable && { unreadable }),
    body,
  };
}

export interface ReceiveOptions {
  /** Stop after this many messages. */
  readonly max: number;
  /** How long received messages stay hidden; they are hidden until the caller releases them. */
  readonly visibilitySeconds: number;
  /** Long-poll each receive this long (1 s makes SQS look at all its servers; 0 samples some). */
  readonly waitSeconds?: number;
  readonly signal?: AbortSignal;
  /** How many the queue said it holds: stop there instead of waiting out one more empty long poll. */
  readonly expected?: number;
}

/**
 * Receives up to `max` distinct messages (received ones stay hidden, so each receive returns new ones)
 * until the queue yields no more. The caller must release or delete them.
 */
export async function receiveAll(sqs: SQSClient, queueUrl: string, options: ReceiveOptions): Promise<Received[]> {
  const out: Received[] = [];
  const enough = Math.min(options.max, options.expected ?? Number.POSITIVE_INFINITY);
  while (out.length < enough && !options.signal?.aborted) {
    const batch = await receiveBatch(sqs, queueUrl, { ...options, max: Math.min(10, options.max - out.length) });
    if (!batch.length) break;
    out.push(...batch);
  }
  return out;
}

/** One ReceiveMessage: up to `max` (≤ 10) messages, hidden for `visibilitySeconds`. */
export async function receiveBatch(sqs: SQSClient, queueUrl: string, options: Pick<ReceiveOptions, 'max' | 'visibilitySeconds' | 'waitSeconds'>): Promise<Received[]> {
  const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max,
      VisibilityTimeout: options.visibilitySeconds,
      WaitTimeSeconds: options.waitSeconds ?? 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages.map((raw) => ({ raw, message: describeMessage(raw) }));
}

/** Makes received messages visible again at once. Best effort: a failure only delays them by the timeout. */
export async function release(sqs: SQSClient, queueUrl: string, received: readonly Received[]): Promise<number> {
  const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
  let failed = 0;
  for (let i = 0; i < received.length; i += 10) {
    const batch = received.slice(i, i + 10);
    try {
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((r, j) => ({ Id: String(j), ReceiptHandle: r.raw.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      failed += result.Failed?.length ?? 0;
    } catch {
      failed += batch.length;
    }
  }
  return failed;
}

/** Receives up to `max` messages (or the `expected` number) and releases them before returning. */
export async function peek(sqs: SQSClient, queueUrl: string, max: number, expected?: number): Promise<QueueMessage[]> {
  let received: Received[] = [];
  try {
    received = await receiveAll(sqs, queueUrl, { max, visibilitySeconds: 30, waitSeconds: 1, ...(expected !== undefined && { expected }) });
  } finally {
    await release(sqs, queueUrl, received);
  }
  return received.map((r) => r.message);
}

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly retentionSeconds: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed', 'MessageRetentionPeriod'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    retentionSeconds: Number(Attributes.MessageRetentionPeriod ?? 0),
  };
}

/** Whether a message announces this file (and, when given, this version of it). */
export function mentions(message: QueueMessage, key: string, versionId?: string): boolean {
  return message.files.some((f) => f.key === key && (versionId === undefined || f.versionId === undefined || f.versionId === versionId));
}
