import { describe, expect, it } from 'vitest';
import { type EventSource, eventHash, toEventItem, writeEvents } from '../../../src/handlers/events.js';
import type { EventItem } from '../../../src/handlers/ports.js';
import { MemoryEvents, awsError } from './helpers/memory.js';

const source: EventSource = { bucket: 'b', key: 'incoming/a.json', versionId: 'v1', environment: 'dev' };
const record = { shipment_id: 'SH1', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00.000Z', carrier: 'UPS', record_number: 3 };

async function* items(n: number): AsyncGenerator<EventItem> {
  for (let i = 1; i <= n; i++) yield toEventItem({ ...record, shipment_id: `SH${i}`, record_number: i }, source);
}

const noSleep = async () => {};

describe('event items', () => {
  it('keys events by shipment and by time plus a hash of where the record came from', () => {
    const item = toEventItem(record, source);
    expect(item).toEqual({
      ...record,
      event_key: `2026-01-05T10:00:00.000Z#${eventHash(source, 3)}`,
      source_key: 'incoming/a.json',
      source_version: 'v1',
      record_number: 3,
      environment: 'dev',
    });
    expect(eventHash(source, 3)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('derives the same key every time, and a different one per record, version or file', () => {
    expect(eventHash(source, 3)).toBe(eventHash({ ...source }, 3));
    const others = [eventHash(source, 4), eventHash({ ...source, versionId: 'v2' }, 3), eventHash({ ...source, key: 'incoming/b.json' }, 3)];
    expect(new Set([eventHash(source, 3), ...others]).size).toBe(4);
  });

  it('hashes an unversioned object with an empty version', () => {
    const { versionId: _, ...unversioned } = source;
    expect(eventHash(unversioned, 3)).not.toBe(eventHash(source, 3));
    expect(toEventItem(record, unversioned)).not.toHaveProperty('source_version');
  });

  it('does not let record fields overwrite provenance', () => {
    const item = toEventItem({ ...record, source_key: 'forged', environment: 'prod', event_key: 'x' }, source);
    expect(item).toMatchObject({ source_key: 'incoming/a.json', environment: 'dev' });
    expect(item.event_key).not.toBe('x');
  });
});

describe('writeEvents', () => {
  it('writes in batches of at most 25', async () => {
    const store = new MemoryEvents();
    expect(await writeEvents(items(60), store, { sleep: noSleep })).toBe(60);
    expect(store.items.size).toBe(60);
    expect(store.requests).toBe(3);
  });

  it('retries unprocessed items until DynamoDB takes them', async () => {
    const store = new MemoryEvents();
    store.throttleCalls = 3;
    const delays: number[] = [];
    await writeEvents(items(25), store, { sleep: async (ms) => void delays.push(ms), concurrency: 1 });
    expect(store.items.size).toBe(25);
    expect(delays).toHaveLength(3);
  });

  it('gives up with a transient error when items stay unprocessed', async () => {
    const store = new MemoryEvents();
    store.throttleCalls = Infinity;
    await expect(writeEvents(items(10), store, { sleep: noSleep, maxAttempts: 3 })).rejects.toMatchObject({
      name: 'TransientError',
      message: expect.stringMatching(/unprocessed after 3 attempts/),
    });
  });

  it('stops reading and rethrows when a batch fails', async () => {
    const store = new MemoryEvents();
    store.failure = awsError('ProvisionedThroughputExceededException', 400);
    let read = 0;
    async function* counted() {
      for await (const item of items(1000)) {
        read++;
        yield item;
      }
    }
    await expect(writeEvents(counted(), store, { sleep: noSleep, concurrency: 2 })).rejects.toBe(store.failure);
    expect(read).toBeLessThan(200);
  });

  it('writes nothing for no items', async () => {
    const store = new MemoryEvents();
    expect(await writeEvents(items(0), store)).toBe(0);
    expect(store.requests).toBe(0);
  });
});
