import { beforeEach, describe, expect, it } from 'vitest';
import { type FileEvent, processFile } from '../../../src/handlers/process-file.js';
import { BUCKET, EVENT_TIME, fixture } from './helpers/factories.js';
import { type MemoryPorts, memoryPorts, uploadTo } from './helpers/memory.js';

let ports: MemoryPorts;
let clock: number;
const options = () => ({ environment: 'dev', now: () => (clock += 25), writeOptions: { sleep: async () => {} } });

beforeEach(() => {
  ports = memoryPorts();
  clock = Date.parse('2026-01-05T10:00:05.000Z');
});

const upload = (key: string, content: string | Uint8Array): FileEvent => uploadTo(ports, key, content);

const ndjson = (text: string | undefined) => (text ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('processFile: files that process', () => {
  it('writes processed NDJSON, events and a SUCCESS metadata item', async () => {
    const file = upload('incoming/batch-1.json', fixture('valid.json'));

    const { duplicate, item } = await processFile(file, ports, options());

    expect(duplicate).toBe(false);
    expect(item).toEqual({
      filename: 'incoming/batch-1.json',
      upload_timestamp: EVENT_TIME,
      processing_status: 'SUCCESS',
      processing_duration_ms: 25,
      records_read: 3,
      records_processed: 3,
      records_rejected: 0,
      file_size: file.size,
      version_id: file.versionId,
      etag: file.etag,
      environment: 'dev',
      bucket: BUCKET,
      processed_at: '2026-01-05T10:00:05.050Z',
      format: 'json',
      processed_key: 'processed/batch-1.json.ndjson',
    });
    expect([...ports.metadata.items.values()]).toEqual([item]);
    expect(ndjson(ports.objects.text(BUCKET, 'processed/batch-1.json.ndjson'))).toEqual([
      { shipment_id: 'SH1001', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00.000Z', carrier: 'UPS', location: 'New York', record_number: 1 },
      { shipment_id: 'SH1002', status: 'DELIVERED', timestamp: '2026-01-05T10:30:00.000Z', weight_kg: 12.5, tags: ['fragile'], record_number: 2 },
      { shipment_id: 'SH1003', status: 'PICKED_UP', timestamp: '2026-01-06T00:00:00.000Z', notes: { dock: 4, signed: true }, record_number: 3 },
    ]);
    expect(ports.objects.keys()).not.toContain(`${BUCKET}/rejected/batch-1.json.errors.ndjson`);

    const events = [...ports.events.items.values()];
    expect(events.map((e) => e.shipment_id).sort()).toEqual(['SH1001', 'SH1002', 'SH1003']);
    expect(events.find((e) => e.shipment_id === 'SH1002')).toMatchObject({
      event_key: expect.stringMatching(/^2026-01-05T10:30:00\.000Z#[0-9a-f]{16}$/),
      status: 'DELIVERED',
      weight_kg: 12.5,
      source_key: 'incoming/batch-1.json',
      source_version: file.versionId,
      record_number: 2,
      environment: 'dev',
    });
  });

  it.each([
    ['single.json', 'json', 1, 0],
    ['empty-array.json', 'json', 0, 0],
    ['missing-fields.json', 'json', 1, 8],
    ['bad-timestamps.json', 'json', 1, 5],
    ['valid.ndjson', 'ndjson', 3, 0],
    ['mixed.jsonl', 'ndjson', 2, 2],
    ['valid.csv', 'csv', 3, 0],
    ['bom.csv', 'csv', 2, 0],
    ['ragged.csv', 'csv', 2, 2],
    ['header-only.csv', 'csv', 0, 0],
    ['shipments.log', 'log', 3, 2],
  ])('%s (%s): %i processed, %i rejected', async (name, format, processed, rejected) => {
    const { item } = await processFile(upload(`incoming/${name}`, fixture(name)), ports, options());

    expect(item).toMatchObject({ processing_status: 'SUCCESS', format, records_processed: processed, records_rejected: rejected });
    expect(ports.events.items.size).toBe(processed);
    expect(ndjson(ports.objects.text(BUCKET, `processed/${name}.ndjson`))).toHaveLength(processed);
    const errors = ports.objects.text(BUCKET, `rejected/${name}.errors.ndjson`);
    expect(ndjson(errors)).toHaveLength(rejected);
    expect(item.rejected_key).toBe(rejected > 0 ? `rejected/${name}.errors.ndjson` : undefined);
  });

  it('reports each reject with its position, field, reason and the raw record', async () => {
    await processFile(upload('incoming/m.json', fixture('missing-fields.json')), ports, options());

    const rejects = ndjson(ports.objects.text(BUCKET, 'rejected/m.json.errors.ndjson'));
    expect(rejects.slice(0, 2)).toEqual([
      { record_number: 2, field: 'shipment_id', reason: 'missing', record: { status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z' } },
      { record_number: 3, field: 'status', reason: 'missing', record: { shipment_id: 'SHA003', timestamp: '2026-01-05T10:00:00Z' } },
    ]);
    expect(rejects.slice(5)).toEqual([
      { record_number: 7, field: null, reason: 'record must be an object, got number', record: 42 },
      { record_number: 8, field: null, reason: 'record must be an object, got null', record: null },
      { record_number: 9, field: null, reason: 'record must be an object, got array', record: ['SHA009'] },
    ]);
  });

  it('gives line numbers for rejects in line-based formats', async () => {
    await processFile(upload('incoming/r.csv', fixture('ragged.csv')), ports, options());

    expect(ndjson(ports.objects.text(BUCKET, 'rejected/r.csv.errors.ndjson'))[0]).toEqual({
      record_number: 2,
      line: 3,
      field: null,
      reason: 'row has 3 fields, header has 4',
      record: ['SH7002', 'DELIVERED', '2026-01-05T11:00:00Z'],
    });
  });

  it('rejects a record too large for a DynamoDB item, keeping the rest', async () => {
    const big = { shipment_id: 'SH1', status: 'X', timestamp: '2026-01-05', blob: 'x'.repeat(400 * 1024) };
    const small = { shipment_id: 'SH2', status: 'X', timestamp: '2026-01-05' };
    const { item } = await processFile(upload('incoming/big.ndjson', `${JSON.stringify(big)}\n${JSON.stringify(small)}\n`), ports, options());

    expect(item).toMatchObject({ records_processed: 1, records_rejected: 1 });
    expect(ndjson(ports.objects.text(BUCKET, 'rejected/big.ndjson.errors.ndjson'))[0]).toMatchObject({ reason: "larger than DynamoDB's 400 KB item limit" });
  });
});
