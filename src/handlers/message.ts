/**
 * SQS message body → the S3 objects it announces. Pure.
 *
 * Bodies are S3 event notifications. S3 sends one `s3:TestEvent` when a notification is configured;
 * it names no object and is acknowledged. A body that is neither is not something this queue should
 * carry: we throw, so it is retried and ends in the DLQ where someone can look at it, rather than
 * being acknowledged and lost.
 */
import type { FileEvent } from './process-file.js';

export type Message =
  | { kind: 'test' }
  | { kind: 'objects'; files: FileEvent[]; ignored: IgnoredRecord[] };

/** An S3 event record that is not an object creation (e.g. a delete): nothing to process. */
export interface IgnoredRecord {
  eventName: string;
  key: string;
}

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/** S3 URL-encodes keys in notifications, with `+` for a space (form encoding). */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export function parseMessage(body: string): Message {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedMessageError('message body is not JSON');
  }
  if (!isObject(parsed)) throw new MalformedMessageError('message body is not a JSON object');
  if (parsed['Event'] === 's3:TestEvent') return { kind: 'test' };

  const records = parsed['Records'];
  if (!Array.isArray(records)) throw new MalformedMessageError('message body has no Records array');
  const files: FileEvent[] = [];
  const ignored: IgnoredRecord[] = [];
  for (const record of records) {
    const event = readRecord(record);
    if (event.eventName.startsWith('ObjectCreated:')) files.push(event.file);
    else ignored.push({ eventName: event.eventName, key: event.file.key });
  }
  return { kind: 'objects', files, ignored };
}

function readRecord(record: unknown): { eventName: string; file: FileEvent } {
  const s3 = isObject(record) ? record['s3'] : undefined;
  const bucket = isObject(s3) ? s3['bucket'] : undefined;
  const object = isObject(s3) ? s3['object'] : undefined;
  const name = isObject(bucket) ? bucket['name'] : undefined;
  const key = isObject(object) ? object['key'] : undefined;
  const eventName = isObject(record) ? record['eventName'] : undefined;
  const eventTime = isObject(record) ? record['eventTime'] : undefined;
  if (typeof name !== 'string' || typeof key !== 'string' || typeof eventName !== 'string' || typeof eventTime !== 'string') {
    throw new MalformedMessageError('S3 event record lacks bucket name, object key, eventName or eventTime');
  }
  const obj = object as Record<string, unknown>;
  let decoded: string;
  try {
    decoded = decodeS3Key(key);
  } catch {
    throw new MalformedMessageError(`S3 object key is not validly URL-encoded: ${key}`);
  }
  const file: FileEvent = { bucket: name, key: decoded, eventTime };
  if (typeof obj['versionId'] === 'string') file.versionId = obj['versionId'];
  if (typeof obj['eTag'] === 'string') file.etag = obj['eTag'];
  if (typeof obj['size'] === 'number') file.size = obj['size'];
  return { eventName, file };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The inverse of decodeS3Key: form encoding, as S3 writes keys in notifications. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/**
 * An S3 event notification body for one object creation, as S3 would send it: how a file whose
 * big-file run failed is put in the dead-letter queue, so that `tap dlq redrive` processes it again.
 */
export function s3EventBody(file: FileEvent): string {
  const object: Record<string, unknown> = { key: encodeS3Key(file.key) };
  if (file.size !== undefined) object['size'] = file.size;
  if (file.etag !== undefined) object['eTag'] = file.etag;
  if (file.versionId !== undefined) object['versionId'] = file.versionId;
  return JSON.stringify({
    Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: file.eventTime, s3: { bucket: { name: file.bucket }, object } }],
  });
}
