/**
 * Messages: what a queue keeps of each, the checks SendMessage makes on its input (SendMessage API
 * reference and "Amazon SQS message quotas"), and the shape ReceiveMessage returns.
 */
import { invalidMessageContents, invalidParameterValue, invalidValue, missingParameter } from './errors.js';
import { type AttributeValue, md5Hex, md5OfAttributes } from './md5.js';

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5: string;
  readonly attributes?: Record<string, AttributeValue>;
  readonly md5Attributes?: string;
  /** The one message system attribute senders may set. */
  readonly traceHeader?: string;
  readonly sent: number;
  /** Start of the retention clock (ms): the first enqueue, kept across a standard queue's redrive. */
  enqueued: number;
  readonly sender: string;
  /** ms: the end of the send delay or of the visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceive?: number;
  /** ms of the latest receive: the 12-hour visibility ceiling counts from it. */
  receivedAt?: number;
  /** Only the latest receipt handle deletes (API reference, DeleteMessage). */
  handle?: string;
  readonly group?: string;
  readonly dedupId?: string;
  seq?: string;
  /** DeadLetterQueueSourceArn: set when the message was dead-lettered, used by redrive tasks. */
  dlqSource?: string;
}

export interface SendInput {
  readonly MessageBody?: unknown;
  readonly DelaySeconds?: unknown;
  readonly MessageAttributes?: unknown;
  readonly MessageSystemAttributes?: unknown;
  readonly MessageDeduplicationId?: unknown;
  readonly MessageGroupId?: unknown;
}

/** A send's input, checked; the queue adds identity, timing and FIFO fields. */
export interface CheckedSend {
  readonly body: string;
  readonly delaySeconds: number | undefined;
  readonly attributes: Record<string, AttributeValue> | undefined;
  readonly traceHeader: string | undefined;
  readonly md5System: string | undefined;
  readonly groupId: string | undefined;
  readonly dedupId: string | undefined;
  /** Bytes counted against MaximumMessageSize: body plus attribute names, types and values. */
  readonly size: number;
}

const VALID_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export function checkSend(input: SendInput): CheckedSend {
  const body = input.MessageBody;
  if (typeof body !== 'string' || body.length === 0) throw missingParameter('MessageBody');
  if (!VALID_CHARS.test(body)) throw invalidMessageContents();
  const delaySeconds = optionalInt(input.DelaySeconds, 'DelaySeconds');
  if (delaySeconds !== undefined && (delaySeconds < 0 || delaySeconds > 900)) {
    throw invalidValue('DelaySeconds', delaySeconds, 'DelaySeconds must be >= 0 and <= 900.');
  }
  const attributes = checkAttributes(input.MessageAttributes);
  const system = checkSystemAttributes(input.MessageSystemAttributes);
  const groupId = optionalFifoId(input.MessageGroupId, 'MessageGroupId');
  const dedupId = optionalFifoId(input.MessageDeduplicationId, 'MessageDeduplicationId');
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, 'base64').length : Buffer.byteLength(value.StringValue ?? '');
  }
  return {
    body, delaySeconds, attributes, groupId, dedupId, size,
    traceHeader: system?.AWSTraceHeader?.StringValue,
    md5System: md5OfAttributes(system),
  };
}

function checkAttributes(raw: unknown): Record<string, AttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw invalidParameterValue('MessageAttributes must be a map.');
  const entries = Object.entries(raw as Record<string, Partial<AttributeValue>>);
  if (entries.length === 0) return undefined;
  if (entries.length > 10) {
    throw invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  }
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of entries) {
    checkAttributeName(name);
    out[name] = checkAttributeValue(name, value ?? {});
  }
  return out;
}

function checkAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (name.length === 0 || name.length > 256 || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw invalidParameterValue(
      'Message (user) attribute names can only contain upper and lower case characters, digits, periods, hyphens and underscores, and be 1 to 256 characters long.',
    );
  }
  if (lower.startsWith('aws.') || lower.startsWith('amazon.') || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    throw invalidParameterValue(
      `Message (user) attribute name '${name}' is invalid: it can't start with 'AWS.' or 'Amazon.', start or end with a period, or contain two periods in a row.`,
    );
  }
}

function checkAttributeValue(name: string, value: Partial<AttributeValue>): AttributeValue {
  const type = value.DataType;
  if (typeof type !== 'string' || !type) throw invalidParameterValue(`The message attribute '${name}' must contain a non-empty message attribute type.`);
  const base = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
  if (!base || type.length > 256) {
    throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  }
  if (base === 'Binary') {
    if (typeof value.BinaryValue !== 'string' || value.BinaryValue.length === 0) {
      throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
    }
    return { DataType: type, BinaryValue: value.BinaryValue };
  }
  const text = value.StringValue;
  if (typeof text !== 'string' || text.length === 0) {
    throw invalidParameterValue(`The message attribute '${name}' with type '${base}' must use field 'String'.`);
  }
  if (!VALID_CHARS.test(text)) throw invalidParameterValue(`Message (user) attribute '${name}' value contains invalid characters.`);
  if (base === 'Number' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) {
    throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
  }
  return { DataType: type, StringValue: text };
}

function checkSystemAttributes(raw: unknown): Record<string, AttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const entries = Object.entries(raw as Record<string, Partial<AttributeValue>>);
  if (entries.length === 0) return undefined;
  for (const [name, value] of entries) {
    if (name !== 'AWSTraceHeader') throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    if (value?.DataType !== 'String' || typeof value.StringValue !== 'string' || !value.StringValue) {
      throw invalidParameterValue("The message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.");
    }
  }
  return raw as Record<string, AttributeValue>;
}

function optionalFifoId(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !FIFO_ID.test(raw)) {
    throw invalidValue(name, raw, `${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  return raw;
}

export function optionalInt(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n)) throw invalidValue(name, raw, `${name} must be an integer.`);
  return n;
}

export function newStoredMessage(id: string, checked: CheckedSend, sender: string, now: number): StoredMessage {
  return {
    id, body: checked.body, md5: md5Hex(checked.body),
    ...(checked.attributes ? { attributes: checked.attributes, md5Attributes: md5OfAttributes(checked.attributes)! } : {}),
    ...(checked.traceHeader ? { traceHeader: checked.traceHeader } : {}),
    sent: now, enqueued: now, sender,
    visibleAt: now + (checked.delaySeconds ?? 0) * 1000,
    receiveCount: 0,
    ...(checked.groupId ? { group: checked.groupId } : {}),
  };
}

/** Every system attribute the message has, as ReceiveMessage names them. */
export function systemAttributes(m: StoredMessage): Record<string, string> {
  const out: Record<string, string> = {
    SenderId: m.sender,
    SentTimestamp: String(m.sent),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceive ?? m.sent),
  };
  if (m.traceHeader) out.AWSTraceHeader = m.traceHeader;
  if (m.group) out.MessageGroupId = m.group;
  if (m.dedupId) out.MessageDeduplicationId = m.dedupId;
  if (m.seq) out.SequenceNumber = m.seq;
  if (m.dlqSource) out.DeadLetterQueueSourceArn = m.dlqSource;
  return out;
}

/** `All` / `.*` select everything, `prefix.*` a family, anything else one name. */
export function selectAttributes<T>(all: Readonly<Record<string, T>> | undefined, names: readonly string[]): Record<string, T> | undefined {
  if (!all || names.length === 0) return undefined;
  const wantsAll = names.includes('All') || names.includes('.*');
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(all)) {
    const wanted = wantsAll || names.some((n) => (n.endsWith('.*') ? name.startsWith(n.slice(0, -1)) : n === name));
    if (wanted) out[name] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The Message shape of ReceiveMessage; the attribute digest covers only the attributes returned. */
export function renderMessage(m: StoredMessage, systemNames: readonly string[], attributeNames: readonly string[]) {
  const attributes = selectAttributes(systemAttributes(m), systemNames);
  const messageAttributes = selectAttributes(m.attributes, attributeNames);
  return {
    MessageId: m.id,
    ReceiptHandle: m.handle!,
    MD5OfBody: m.md5,
    Body: m.body,
    ...(attributes ? { Attributes: attributes } : {}),
    ...(messageAttributes ? { MD5OfMessageAttributes: md5OfAttributes(messageAttributes)!, MessageAttributes: messageAttributes } : {}),
  };
}
