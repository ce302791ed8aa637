/**
 * Step 2 of a big file, once per batch of the distributed map: processed records → the events table,
 * with the same code as the small path (toEventItem, writeEvents). Keys are deterministic, so a batch
 * that is retried (by the map's Retry, or after the local AWS restarted) overwrites its own items.
 */
import { type EventSource, type ProcessedRecord, type WriteOptions, toEventItem, writeEvents } from '../events.js';
import type { EventItem, EventStore } from '../ports.js';

/** What the map's ItemBatcher hands each child: the BatchInput and the batch's records. */
export interface RecordBatch {
  BatchInput: { source: EventSource };
  Items: ProcessedRecord[];
}

export async function writeRecordBatch(batch: RecordBatch, events: EventStore, options?: WriteOptions): Promise<{ written: number }> {
  if (!batch?.BatchInput?.source || !Array.isArray(batch.Items)) throw new Error('not a record batch: expected {BatchInput: {source}, Items: [...]}');
  const { source } = batch.BatchInput;
  async function* items(): AsyncGenerator<EventItem> {
    for (const record of batch.Items) yield toEventItem(record, source);
  }
  return { written: await writeEvents(items(), events, options) };
}
