import { beforeEach, describe, expect, it } from 'vitest';
import { type FileEvent, processFile } from '../../../src/handlers/process-file.js';
import { BUCKET, EVENT_TIME, fixture } from './helpers/factories.js';
import { type MemoryPorts, awsError, memoryPorts } from './helpers/memory.js';

let ports: MemoryPorts;
const options = { environment: 'dev', writeOptions: { sleep: async () => {} } };

beforeEach(() => {
  ports = memoryPorts();
});

function upload(key: string, content: string | Uint8Array): FileEvent {
  const versionId = ports.objects.put(BUCKET, key, content);
  return { bucket: BUCKET, key, versionId, etag: `etag-${versionId}`, size: content.length, eventTime: EVENT_TIME };
}

describe('processFile: files that cannot be processed', () => {
  it.each([
    ['malformed.json', /^malformed JSON at the end of the file, in record 2: /],
    ['empty.json', /^file is empty \(no data, or only whitespace\)$/],
    ['latin1.csv', /^file is not valid UTF-8/],
    ['shipments.xyz', /^unsupported file type \.xyz; use \.json, \.ndjson, \.jsonl, \.csv, \.log or \.txt$/],
  ])('%s: FAILED, original bytes quarantined, no outputs, no events', async (name, message) => {
    const original = fixture(name);
    const file = upload(`incoming/in/${name}`, original);

    const { item } = await processFile(file, ports, options);

    expect(item).toMatchObject({
      processing_status: 'FAILED',
      error_message: expect.stringMatching(message),
      quarantine_key: `quarantine/in/${name}`,
      records_processed: 0,
      records_rejected: 0,
      version_id: file.versionId,
    });
    expect(item).not.toHaveProperty('processed_key');
    expect(ports.objects.bytes(BUCKET, `quarantine/in/${name}`)).toEqual(original);
    expect(ports.objects.keys()).toEqual([`${BUCKET}/incoming/in/${name}`, `${BUCKET}/quarantine/in/${name}`]);
    expect(ports.events.items.size).toBe(0);
    expect([...ports.metadata.items.values()]).toEqual([item]);
  });

  it('aborts the outputs of a file that breaks half-way: no partial processed or rejected object', async () => {
    const content = `[{"shipment_id":"SH1","status":"X","timestamp":"2026-01-05"},{"bad":1},{"shipment_id":`;
    await processFile(upload('incoming/half.json', content), ports, options);

    expect(ports.objects.aborted.sort()).toEqual(['processed/half.json.ndjson', 'rejected/half.json.errors.ndjson']);
    expect(ports.objects.keys().filter((k) => !k.includes('/incoming/') && !k.includes('/quarantine/'))).toEqual([]);
    expect(ports.events.items.size).toBe(0);
  });

  it('marks a file deleted before it was read as FAILED, without quarantine', async () => {
    const file = upload('incoming/gone.json', fixture('valid.json'));
    ports.objects.delete(BUCKET, file.key);

    const { item } = await processFile(file, ports, options);

    expect(item).toMatchObject({ processing_status: 'FAILED', error_message: 'object no longer exists', format: 'json' });
    expect(item).not.toHaveProperty('quarantine_key');
  });

  it('still records FAILED when a bad file vanishes before it can be quarantined', async () => {
    const file = upload('incoming/x.xyz', 'whatever');
    ports.objects.delete(BUCKET, file.key);

    const { item } = await processFile(file, ports, options);

    expect(item.error_message).toMatch(/^unsupported file type .*\(not quarantined: the object no longer exists\)$/);
    expect(item).not.toHaveProperty('quarantine_key');
  });
});

describe('processFile: retries and redelivery', () => {
  it('rethrows a transient read error and records nothing, so SQS retries', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    const throttled = awsError('SlowDown', 503);
    ports.objects.readFailures.set(file.key, throttled);

    await expect(processFile(file, ports, options)).rejects.toBe(throttled);
    expect(ports.metadata.items.size).toBe(0);

    ports.objects.readFailures.clear();
    const { item } = await processFile(file, ports, options);
    expect(item.processing_status).toBe('SUCCESS');
  });

  it('rethrows a DynamoDB failure in pass 2; the retry converges on the same events', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    ports.events.failure = awsError('ProvisionedThroughputExceededException', 400, { $retryable: { throttling: true } });

    await expect(processFile(file, ports, options)).rejects.toBe(ports.events.failure);
    expect(ports.metadata.items.size).toBe(0);

    ports.events.failure = undefined;
    await processFile(file, ports, options);
    expect(ports.events.items.size).toBe(3);
  });

  it('treats a missing processed output in pass 2 as a retryable error, not a FAILED file', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    ports.objects.readFailures.set('processed/a.json.ndjson', awsError('NoSuchKey', 404));

    // keepBytes 0: the records do not fit in memory, so pass 2 reads the output back.
    await expect(processFile(file, ports, { ...options, keepBytes: 0 })).rejects.toThrow(/cannot read back processed\/a\.json\.ndjson/);
    expect(ports.metadata.items.size).toBe(0);
  });

  it('reads the file once when its accepted records fit in memory: pass 2 never reads the output back', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    ports.objects.readFailures.set('processed/a.json.ndjson', awsError('NoSuchKey', 404));

    const { item } = await processFile(file, ports, options);

    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_processed: 3 });
    expect(ports.events.items.size).toBe(3);
  });

  it('skips a version it already processed (duplicate delivery) without writing anything', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    const first = await processFile(file, ports, options);
    const requests = ports.events.requests;

    const second = await processFile(file, ports, options);

    expect(second).toEqual({ duplicate: true, item: first.item });
    expect(ports.events.requests).toBe(requests);
  });

  it('skips a file version that already FAILED, too', async () => {
    const file = upload('incoming/bad.json', fixture('malformed.json'));
    await processFile(file, ports, options);
    expect((await processFile(file, ports, options)).duplicate).toBe(true);
  });

  it('writes no duplicate events when a file is processed again from scratch', async () => {
    const file = upload('incoming/a.json', fixture('valid.json'));
    await processFile(file, ports, options);
    const before = new Map(ports.events.items);
    ports.metadata.items.clear(); // as if the first run crashed before recording its outcome

    await processFile(file, ports, options);

    expect(ports.events.items).toEqual(before);
  });

  it('processes a new version of the same key as a new file', async () => {
    const first = upload('incoming/a.json', fixture('valid.json'));
    await processFile(first, ports, options);
    const second = { ...upload('incoming/a.json', fixture('single.json')), eventTime: '2026-01-05T11:00:00.000Z' };

    expect((await processFile(second, ports, options)).duplicate).toBe(false);
    expect(ports.metadata.items.size).toBe(2);
    expect(ports.events.items.size).toBe(4);
  });
});
