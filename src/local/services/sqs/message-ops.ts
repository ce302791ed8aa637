/**
 * The message operations (send, receive, delete, visibility, purge and their batches), wire-independent
 * like queue-ops.ts. Batches check the request as a whole first (empty, more than 10, entry ids), then
 * answer each entry on its own: a bad entry lands in `Failed` and the others still succeed.
 */
import { AwsError } from '../../errors.js';
import { batchErrors } from './errors.js';
import { optionalInt, renderMessage } from './messages.js';
import { type Call, type Input, type Operation, strings } from './queue-ops.js';
import type { SqsStore } from './store.js';

const MAX_BATCH_BYTES = 1_048_576;

export function messageOperations(store: SqsStore): Record<string, Operation> {
  const queueOf = (input: Input, call: Call) => store.queueByUrl(call.region, input.QueueUrl);
  return {
    SendMessage: (input, call) => store.send(queueOf(input, call), input, call.sender),
    SendMessageBatch: (input, call) => {
      const queue = queueOf(input, call);
      const entries = checkBatch(input.Entries, 'SendMessageBatchRequestEntry');
      const bytes = entries.reduce((sum, e) => sum + rawSize(e), 0);
      if (bytes > MAX_BATCH_BYTES) throw batchErrors.tooLong(MAX_BATCH_BYTES, bytes);
      return eachEntry(entries, (entry) => store.send(queue, entry, call.sender));
    },
    ReceiveMessage: async (input, call) => {
      const queue = queueOf(input, call);
      const messages = await store.receive(queue, {
        max: optionalInt(input.MaxNumberOfMessages, 'MaxNumberOfMessages') ?? 1,
        visibilityTimeout: optionalInt(input.VisibilityTimeout, 'VisibilityTimeout'),
        waitSeconds: optionalInt(input.WaitTimeSeconds, 'WaitTimeSeconds') ?? queue.num('ReceiveMessageWaitTimeSeconds'),
        ...(call.signal ? { signal: call.signal } : {}),
      });
      if (messages.length === 0) return {};
      // MessageSystemAttributeNames replaced AttributeNames; clients may send either (or both).
      const systemNames = [...strings(input.MessageSystemAttributeNames), ...strings(input.AttributeNames)];
      const attributeNames = strings(input.MessageAttributeNames);
      return { Messages: messages.map((m) => renderMessage(m, systemNames, attributeNames)) };
    },
    DeleteMessage: (input, call) => {
      store.deleteMessage(queueOf(input, call), input.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (input, call) => {
      const queue = queueOf(input, call);
      const entries = checkBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
      return eachEntry(entries, (entry) => store.deleteMessage(queue, entry.ReceiptHandle));
    },
    ChangeMessageVisibility: (input, call) => {
      store.changeVisibility(queueOf(input, call), input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch: (input, call) => {
      const queue = queueOf(input, call);
      const entries = checkBatch(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return eachEntry(entries, (entry) => store.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout ?? 0));
    },
    PurgeQueue: (input, call) => {
      store.purge(queueOf(input, call));
      return {};
    },
  };
}

function checkBatch(entries: unknown, entryName: string): Input[] {
  if (!Array.isArray(entries) || entries.length === 0) throw batchErrors.empty(entryName);
  if (entries.length > 10) throw batchErrors.tooMany(entries.length);
  const seen = new Set<string>();
  for (const entry of entries as Input[]) {
    const id = entry?.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw batchErrors.invalidId();
    if (seen.has(id)) throw batchErrors.notDistinct(id);
    seen.add(id);
  }
  return entries as Input[];
}

/** Runs `action` per entry; an AWS error fails that entry only, as `BatchResultErrorEntry`. */
function eachEntry(entries: Input[], action: (entry: Input) => object | void) {
  const Successful: object[] = [];
  const Failed: object[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...(action(entry) ?? {}) });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.fault === 'Sender', Code: error.extra.queryCode ?? error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** A batch entry's bytes as the batch limit counts them: body, attribute names, types and values. */
function rawSize(entry: Input): number {
  let size = Buffer.byteLength(String(entry.MessageBody ?? ''));
  const attributes = (entry.MessageAttributes ?? {}) as Record<string, Input>;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(String(value?.DataType ?? ''));
    size += value?.BinaryValue ? Buffer.from(String(value.BinaryValue), 'base64').length : Buffer.byteLength(String(value?.StringValue ?? ''));
  }
  return size;
}
