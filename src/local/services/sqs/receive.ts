/**
 * ReceiveMessage: long polling and redrive to the dead-letter queue. The HTTP operation and
 * SqsApi.receiveByArn (the Lambda poller) both come through here, so they share every rule.
 */
import { invalidValue } from './errors.js';
import type { StoredMessage } from './messages.js';
import type { Queue } from './queue.js';
import type { SqsStore } from './store.js';

export interface ReceiveOptions {
  readonly max: number;
  readonly visibilityTimeout?: number;
  readonly waitSeconds: number;
  readonly signal?: AbortSignal;
}

/**
 * Returns as soon as one message is available (never waiting to fill `max`), else empty after the
 * wait. Long polls wake on a send, on a visibility change to 0 and when the next delayed or in-flight
 * message becomes visible; an abort (client gone, poller stopped), deleting the queue or closing the
 * store ends the wait with nothing.
 */
export async function receiveMessages(store: SqsStore, queue: Queue, options: ReceiveOptions): Promise<StoredMessage[]> {
  if (!Number.isInteger(options.max) || options.max < 1 || options.max > 10) {
    throw invalidValue('MaxNumberOfMessages', options.max, 'Must be between 1 and 10, if provided.');
  }
  if (!Number.isInteger(options.waitSeconds) || options.waitSeconds < 0 || options.waitSeconds > 20) {
    throw invalidValue('WaitTimeSeconds', options.waitSeconds, 'Must be >= 0 and <= 20, if provided.');
  }
  const vt = options.visibilityTimeout;
  if (vt !== undefined && (!Number.isInteger(vt) || vt < 0 || vt > 43_200)) {
    throw invalidValue('VisibilityTimeout', vt, 'Must be >= 0 and <= 43200, if provided.');
  }
  const deadline = Date.now() + options.waitSeconds * 1000;
  while (store.isLive(queue)) {
    const now = Date.now();
    const got = queue.receive(options.max, vt ?? queue.num('VisibilityTimeout'), now, (m) => deadLetter(store, queue, m, now));
    // Copies: the caller renders after an await, and the live objects may change by then.
    if (got.length) return got.map((m) => ({ ...m }));
    if (now >= deadline || options.signal?.aborted) break;
    await queue.wait(Math.min(deadline, queue.nextVisibleAt(now) ?? deadline), options.signal);
  }
  return [];
}

/**
 * Moves a message that exhausted its receives to the dead-letter queue: same id, body, attributes,
 * SentTimestamp and receive count ("across all queues", API reference); DeadLetterQueueSourceArn
 * records where it came from. A standard queue keeps the original enqueue time for retention, a FIFO
 * queue restarts it (SQS Developer Guide, "Setting-up dead-letter queue retention"). The DLQ's
 * journal gets the message before the source's records its removal: a crash between the two
 * duplicates it, never loses it.
 */
function deadLetter(store: SqsStore, source: Queue, m: StoredMessage, now: number): boolean {
  const dlq = store.findByArn(source.redrivePolicy!.deadLetterTargetArn);
  if (!dlq || dlq === source) return false; // target deleted since: keep delivering from the source
  const { handle: _handle, receivedAt: _receivedAt, ...rest } = m;
  dlq.put({
    ...rest,
    visibleAt: now,
    dlqSource: source.arn,
    enqueued: dlq.meta.fifo ? now : m.enqueued,
    ...(dlq.meta.fifo ? { seq: dlq.nextSeq() } : {}),
  });
  return true;
}
