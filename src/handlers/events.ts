/**
 * Shipment events: how a processed record becomes an item of the events table, and how items are
 * written — 25 per BatchWriteItem, several batches in flight, UnprocessedItems retried with backoff.
 *
 * Keys are deterministic (derived from the file version and the record's position), so writing the
 * same file twice overwrites the same items instead of duplicating them.
 */
import { createHash } from 'node:crypto';
import { setTimeout as wait } from 'node:timers/promises';
import { TransientError } from './errors.js';
import type { EventItem, EventStore, ObjectRef } from './ports.js';
import type { ShipmentRecord } from './validate.js';

/** A validated record as stored in processed/<key>.ndjson: its fields plus its position in the file. */
export type ProcessedRecord = ShipmentRecord & { record_number: number };

export interface EventSource extends ObjectRef {
  environment: string;
}

/** First 16 hex digits of sha256(`bucket/key#versionId#recordNumber`): unique per record of a version. */
export function eventHash(source: ObjectRef, recordNumber: number): string {
  const identity = `${source.bucket}/${source.key}#${source.versionId ?? ''}#${recordNumber}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

export function toEventItem(record: ProcessedRecord, source: EventSource): EventItem {
  const item: EventItem = {
    ...record,
    // Provenance last, so that a record field with the same name cannot forge it.
    event_key: `${record.timestamp}#${eventHash(source, record.record_number)}`,
    source_key: source.key,
    record_number: record.record_number,
    environment: source.environment,
  };
  if (source.versionId !== undefined) item['source_version'] = source.versionId;
  return item;
}

export interface WriteOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per batch before giving up with a TransientError (SQS then redelivers the file). */
  maxAttempts?: number;
  /** Batches in flight at once. */
  concurrency?: number;
}

const BATCH_SIZE = 25; // DynamoDB's limit for BatchWriteItem
/**
 * BatchWriteItem calls in flight. 16 × 25 items: the local table takes ~3× what 4 did (bench/big-file.ts),
 * and an on-demand table on AWS takes it too (throttling, when it comes, is UnprocessedItems: retried).
 */
const DEFAULT_CONCURRENCY = 16;
const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

const defaultSleep = async (ms: number): Promise<void> => void (await wait(ms));

/** Writes every item; resolves with how many were written. */
export async function writeEvents(items: AsyncIterable<EventItem>, store: EventStore, options: WriteOptions = {}): Promise<number> {
  const { sleep = defaultSleep, maxAttempts = 8, concurrency = DEFAULT_CONCURRENCY } = options;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let written = 0;

  const start = (batch: EventItem[]) => {
    const p: Promise<void> = writeWithRetry(batch, store, sleep, maxAttempts)
      .then(() => void (written += batch.length))
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  let batch: EventItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length < BATCH_SIZE) continue;
    start(batch);
    batch = [];
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  if (batch.length > 0 && !failure) start(batch);
  // Let every started batch settle before reporting, so no write is left running unobserved.
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return written;
}

async function writeWithRetry(
  items: EventItem[],
  store: EventStore,
  sleep: (ms: number) => Promise<void>,
  maxAttempts: number,
): Promise<void> {
  let pending = items;
  for (let attempt = 1; ; attempt++) {
    pending = await store.writeBatch(pending);
    if (pending.length === 0) return;
    if (attempt >= maxAttempts) {
      throw new TransientError(`DynamoDB left ${pending.length} event(s) unprocessed after ${maxAttempts} attempts`);
    }
    // Full jitter: concurrent writers that were throttled together do not retry together.
    await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
  }
}
