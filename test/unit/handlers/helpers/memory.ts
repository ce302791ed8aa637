/**
 * In-memory implementations of our own ports (src/handlers/ports.ts), for unit tests. Not AWS mocks:
 * they model only what the processing logic relies on — versioned objects that can vanish, writers
 * that publish on close, a DynamoDB that may throttle.
 */
import { createHash } from 'node:crypto';
import type {
  EventItem,
  EventStore,
  MetadataItem,
  MetadataStore,
  ObjectRef,
  ObjectStore,
  ObjectWriter,
  Ports,
  WrittenObject,
} from '../../../../src/handlers/ports.js';
import type { FileEvent } from '../../../../src/handlers/process-file.js';
import { isSettled } from '../../../../src/handlers/ports.js';
import { BUCKET, EVENT_TIME } from './factories.js';

/** An error shaped like the SDK's for an S3/DynamoDB error code. */
export function awsError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (simulated)`), { name, $metadata: { httpStatusCode: status }, ...extra });
}

interface StoredObject {
  bytes: Uint8Array;
  versionId: string;
  etag: string;
  contentType?: string;
}

export class MemoryObjects implements ObjectStore {
  /** Current version of each `bucket/key`. */
  readonly current = new Map<string, StoredObject>();
  private readonly versions = new Map<string, StoredObject>();
  private nextVersion = 1;
  /** Small chunks on purpose: they split lines, tokens and multi-byte characters. */
  chunkSize = 7;
  aborted: string[] = [];
  /** Throw this (once per call) when reading the given key, to simulate failures. */
  readFailures = new Map<string, unknown>();

  put(bucket: string, key: string, content: string | Uint8Array, contentType?: string): string {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const versionId = `v${this.nextVersion++}`;
    const etag = createHash('md5').update(bytes).digest('hex');
    const stored: StoredObject = { bytes, versionId, etag, ...(contentType && { contentType }) };
    this.current.set(`${bucket}/${key}`, stored);
    this.versions.set(`${bucket}/${key}#${versionId}`, stored);
    return versionId;
  }

  delete(bucket: string, key: string): void {
    for (const name of [...this.versions.keys()]) if (name.startsWith(`${bucket}/${key}#`)) this.versions.delete(name);
    this.current.delete(`${bucket}/${key}`);
  }

  bytes(bucket: string, key: string): Buffer | undefined {
    const stored = this.current.get(`${bucket}/${key}`);
    return stored && Buffer.from(stored.bytes);
  }

  text(bucket: string, key: string): string | undefined {
    return this.bytes(bucket, key)?.toString('utf8');
  }

  keys(): string[] {
    return [...this.current.keys()].sort();
  }

  async read(ref: ObjectRef, expect?: WrittenObject): Promise<AsyncIterable<Uint8Array>> {
    const failure = this.readFailures.get(ref.key);
    if (failure !== undefined) throw failure;
    const versionId = expect?.versionId ?? ref.versionId;
    const stored = versionId
      ? this.versions.get(`${ref.bucket}/${ref.key}#${versionId}`)
      : this.current.get(`${ref.bucket}/${ref.key}`);
    if (!stored) throw awsError(versionId ? 'NoSuchVersion' : 'NoSuchKey', 404);
    return chunks(stored.bytes, this.chunkSize);
  }

  create(bucket: string, key: string, contentType: string): ObjectWriter {
    const parts: string[] = [];
    let state: 'open' | 'closed' | 'aborted' = 'open';
    return {
      write: async (text) => {
        if (state !== 'open') throw new Error(`write after ${state}`);
        parts.push(text);
      },
      close: async () => {
        state = 'closed';
        const versionId = this.put(bucket, key, parts.join(''), contentType);
        return { versionId, etag: this.current.get(`${bucket}/${key}`)!.etag };
      },
      abort: async () => {
        if (state === 'open') this.aborted.push(key);
        state = 'aborted';
      },
    };
  }

  async copy(from: ObjectRef, toKey: string): Promise<void> {
    const source = await this.read(from);
    const buffers: Uint8Array[] = [];
    for await (const chunk of source) buffers.push(chunk);
    this.put(from.bucket, toKey, Buffer.concat(buffers));
  }
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export class MemoryMetadata implements MetadataStore {
  readonly items = new Map<string, MetadataItem>();

  async get(filename: string, uploadTimestamp: string): Promise<MetadataItem | undefined> {
    return this.items.get(`${filename}|${uploadTimestamp}`);
  }

  async put(item: MetadataItem): Promise<void> {
    this.items.set(`${item.filename}|${item.upload_timestamp}`, structuredClone(item));
  }

  async putProcessing(item: MetadataItem): Promise<boolean> {
    const current = await this.get(item.filename, item.upload_timestamp);
    if (current && isSettled(current)) return false;
    await this.put(item);
    return true;
  }
}

export class MemoryEvents implements EventStore {
  readonly items = new Map<string, EventItem>();
  requests = 0;
  /** Each call leaves this many items of the batch unprocessed, while it is > 0 (then decrements). */
  throttleCalls = 0;
  /** Thrown by every call while set. */
  failure: unknown;

  async writeBatch(batch: EventItem[]): Promise<EventItem[]> {
    this.requests++;
    if (batch.length > 25) throw awsError('ValidationException', 400);
    if (this.failure !== undefined) throw this.failure;
    const unprocessed = this.throttleCalls-- > 0 ? batch.slice(Math.ceil(batch.length / 2)) : [];
    for (const item of batch.slice(0, batch.length - unprocessed.length)) {
      this.items.set(`${item.shipment_id}|${item.event_key}`, structuredClone(item));
    }
    return unprocessed;
  }
}

export interface MemoryPorts extends Ports {
  objects: MemoryObjects;
  metadata: MemoryMetadata;
  events: MemoryEvents;
}

export function memoryPorts(): MemoryPorts {
  return { objects: new MemoryObjects(), metadata: new MemoryMetadata(), events: new MemoryEvents() };
}

/** Arrange: puts `content` under `key` and describes it as its S3 event would. */
export function uploadTo(ports: MemoryPorts, key: string, content: string | Uint8Array): FileEvent {
  const versionId = ports.objects.put(BUCKET, key, content);
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  return { bucket: BUCKET, key, versionId, etag: `etag-${versionId}`, size, eventTime: EVENT_TIME };
}
