/**
 * The big-file path against in-memory ports: routing, naming, hand-over, and — the point of the
 * design — that Prepare → batches → Finish give the same row, outputs and events as the small path.
 * The map itself is played here by reading the processed output as JSON Lines and cutting it into
 * batches, as the ItemReader and ItemBatcher do (the local AWS's map is tested in test/local).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { writeRecordBatch } from '../../../src/handlers/big-file/batch.js';
import { type FinishInput, finish } from '../../../src/handlers/big-file/finish.js';
import { prepare } from '../../../src/handlers/big-file/prepare.js';
import { type BigFileInput, type BigFileStarter, bigFileExecutionName, handOver, takesBigPath } from '../../../src/handlers/big-file/route.js';
import { parseMessage } from '../../../src/handlers/message.js';
import { type FileEvent, processFile } from '../../../src/handlers/process-file.js';
import type { ProcessedRecord } from '../../../src/handlers/events.js';
import { BUCKET, EVENT_TIME, fixture } from './helpers/factories.js';
import { type MemoryPorts, memoryPorts, uploadTo } from './helpers/memory.js';

let ports: MemoryPorts;
let clock: number;

beforeEach(() => {
  ports = memoryPorts();
  clock = Date.parse('2026-01-05T10:00:05.000Z');
});

const upload = (key: string, content: string | Uint8Array): FileEvent => uploadTo(ports, key, content);

/** A starter that records its calls and answers as Step Functions does for a repeated name. */
function recordingStarter(): BigFileStarter & { calls: { name: string; input: BigFileInput }[] } {
  const calls: { name: string; input: BigFileInput }[] = [];
  return {
    calls,
    async start(name, input) {
      const started = calls.some((c) => c.name === name) ? 'existing' : 'new';
      calls.push({ name, input });
      return { executionArn: `arn:aws:states:us-east-1:1:execution:tap-dev-big-file:${name}`, started };
    },
  };
}

const deadLetters = () => {
  const sent: string[] = [];
  return { sent, send: async (body: string) => void sent.push(body) };
};

/** Prepare → (the map: JSONL → batches of `batchSize` → Batch) → Finish, as the state machine runs them. */
async function runBigPath(file: FileEvent, batchSize = 2) {
  const input: BigFileInput = { file, messageId: 'm-1' };
  const prepared = await prepare(input, ports, 'dev');
  if (prepared.writeRecords) {
    const text = ports.objects.text(BUCKET, prepared.processed!.key)!;
    const records = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProcessedRecord);
    for (let i = 0; i < records.length; i += batchSize) {
      await writeRecordBatch({ BatchInput: { source: prepared.source }, Items: records.slice(i, i + batchSize) }, ports.events, { sleep: async () => {} });
    }
  }
  const state: FinishInput = { ...input, prepared, startedAt: new Date(clock).toISOString(), executionArn: 'arn:exec' };
  return finish(state, { metadata: ports.metadata, mapRuns: { counts: async () => ({ failedItems: 0 }) }, deadLetters: deadLetters(), environment: 'dev', now: () => clock + 25 });
}

/** What must be equal between the paths: everything but timing and the execution. */
const comparable = ({ processing_duration_ms: _d, processed_at: _p, execution_arn: _e, ...rest }: Record<string, unknown>) => rest;

describe('routing and naming', () => {
  it('takes the big path only above the threshold, and only with a known size', () => {
    const file = { bucket: BUCKET, key: 'incoming/a.csv', eventTime: EVENT_TIME };
    expect(takesBigPath({ ...file, size: 101 }, 100)).toBe(true);
    expect(takesBigPath({ ...file, size: 100 }, 100)).toBe(false);
    expect(takesBigPath(file, 0)).toBe(false);
  });

  it('names an execution after the file version and the message: stable, distinct, and valid for Step Functions', () => {
    const file: FileEvent = { bucket: BUCKET, key: 'incoming/daily dump (1).ndjson', versionId: 'v1', etag: 'e', eventTime: EVENT_TIME };
    const name = bigFileExecutionName(file, 'm-1');
    expect(name).toBe(bigFileExecutionName({ ...file }, 'm-1'));
    expect(name).not.toBe(bigFileExecutionName(file, 'm-2'));
    expect(name).not.toBe(bigFileExecutionName({ ...file, versionId: 'v2' }, 'm-1'));
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(bigFileExecutionName({ ...file, key: `incoming/${'é'.repeat(300)}` }, 'm-1')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('handOver', () => {
  it('starts the execution and records PROCESSING with its ARN; a redelivery starts the same name', async () => {
    const file = upload('incoming/big.ndjson', fixture('valid.ndjson'));
    const starter = recordingStarter();

    const first = await handOver(file, 'm-1', { metadata: ports.metadata, starter, environment: 'dev', now: () => clock });
    const again = await handOver(file, 'm-1', { metadata: ports.metadata, starter, environment: 'dev', now: () => clock });

    expect(first).toMatchObject({ duplicate: false, started: 'new', recorded: true });
    expect(again).toMatchObject({ duplicate: false, started: 'existing' });
    expect(starter.calls.map((c) => c.name)).toEqual([starter.calls[0]!.name, starter.calls[0]!.name]);
    expect(starter.calls[0]!.input).toEqual(starter.calls[1]!.input);
    expect(await ports.metadata.get(file.key, EVENT_TIME)).toMatchObject({ processing_status: 'PROCESSING', execution_arn: expect.stringContaining(starter.calls[0]!.name), format: 'ndjson', file_size: file.size });
  });

  it('is a duplicate once the version has an outcome, and never overwrites an outcome with PROCESSING', async () => {
    const file = upload('incoming/big.ndjson', fixture('valid.ndjson'));
    await runBigPath(file);
    const starter = recordingStarter();

    const late = await handOver(file, 'm-2', { metadata: ports.metadata, starter, environment: 'dev' });

    expect(late.duplicate).toBe(true);
    expect(starter.calls).toEqual([]);
    expect(await ports.metadata.putProcessing({ ...(await ports.metadata.get(file.key, EVENT_TIME))!, processing_status: 'PROCESSING' })).toBe(false);
    expect((await ports.metadata.get(file.key, EVENT_TIME))!.processing_status).toBe('SUCCESS');
  });

  it('processFile does not take a PROCESSING row for an outcome (the threshold was raised meanwhile)', async () => {
    const file = upload('incoming/big.ndjson', fixture('valid.ndjson'));
    await handOver(file, 'm-1', { metadata: ports.metadata, starter: recordingStarter(), environment: 'dev' });

    const { duplicate, item } = await processFile(file, ports, { environment: 'dev', writeOptions: { sleep: async () => {} } });

    expect(duplicate).toBe(false);
    expect(item.processing_status).toBe('SUCCESS');
  });
});

describe('the big path gives what the small path gives', () => {
  it.each(['mixed.jsonl', 'valid.csv', 'ragged.csv', 'valid.json', 'shipments.log', 'malformed.json', 'shipments.xyz', 'bad-timestamps.json'])(
    '%s: the same row (but timing), outputs, rejects and events',
    async (name) => {
      const content = fixture(name);
      const small = upload(`incoming/${name}`, content);
      const smallOutcome = await processFile(small, ports, { environment: 'dev', now: () => clock, writeOptions: { sleep: async () => {} } });
      const smallOutputs = ports.objects.keys().filter((k) => !k.includes('/incoming/')).map((k) => [k, ports.objects.text(BUCKET, k.slice(BUCKET.length + 1))]);
      const smallEvents = new Map(ports.events.items);

      ports = memoryPorts();
      const big = upload(`incoming/${name}`, content);
      const bigItem = await runBigPath(big);
      const bigOutputs = ports.objects.keys().filter((k) => !k.includes('/incoming/')).map((k) => [k, ports.objects.text(BUCKET, k.slice(BUCKET.length + 1))]);

      expect(comparable({ ...bigItem })).toEqual(comparable({ ...smallOutcome.item }));
      expect(bigItem.execution_arn).toBe('arn:exec');
      expect(bigOutputs).toEqual(smallOutputs);
      // The same version ids (v1 in both stores), so the same event keys.
      expect(new Map(ports.events.items)).toEqual(smallEvents);
    },
  );

  it('a retried batch overwrites its items instead of adding any', async () => {
    const file = upload('incoming/mixed.jsonl', fixture('mixed.jsonl'));
    await runBigPath(file, 1);
    const count = ports.events.items.size;
    const prepared = await prepare({ file, messageId: 'm-1' }, ports, 'dev');
    const records = ports.objects.text(BUCKET, prepared.processed!.key)!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    await writeRecordBatch({ BatchInput: { source: prepared.source }, Items: records }, ports.events);
    expect(ports.events.items.size).toBe(count);
  });
});

describe('finish', () => {
  it('a failed run is FAILED, redrivable, and its S3 event goes to the DLQ as S3 would send it', async () => {
    const file = upload('incoming/dump 1+2.ndjson', fixture('valid.ndjson'));
    const dlq = deadLetters();
    const error = { Error: 'States.TaskFailed', Cause: JSON.stringify({ errorType: 'TransientError', errorMessage: 'DynamoDB left 25 event(s) unprocessed' }) };

    const item = await finish(
      { file, messageId: 'm-1', error, startedAt: new Date(clock).toISOString(), executionArn: 'arn:exec' },
      { metadata: ports.metadata, mapRuns: { counts: async () => ({ failedItems: 0 }) }, deadLetters: dlq, environment: 'dev', now: () => clock + 1000 },
    );

    expect(item).toMatchObject({ processing_status: 'FAILED', redrivable: true, records_read: 0, processing_duration_ms: 1000, execution_arn: 'arn:exec' });
    expect(item.error_message).toContain('TransientError: DynamoDB left 25 event(s) unprocessed');
    expect(dlq.sent).toHaveLength(1);
    expect(parseMessage(dlq.sent[0]!)).toEqual({ kind: 'objects', files: [file], ignored: [] });
    // …so the redriven message is processed again, not skipped as a duplicate.
    const { duplicate } = await processFile(file, ports, { environment: 'dev', writeOptions: { sleep: async () => {} } });
    expect(duplicate).toBe(false);
  });

  it('batches that failed within the tolerance are counted as records_failed, with where they are listed', async () => {
    const file = upload('incoming/valid.ndjson', fixture('valid.ndjson'));
    const prepared = await prepare({ file, messageId: 'm-1' }, ports, 'dev');

    const item = await finish(
      { file, messageId: 'm-1', prepared, map: { MapRunArn: 'arn:map', ResultWriterDetails: { Bucket: BUCKET, Key: 'map-results/x/manifest.json' } }, startedAt: new Date(clock).toISOString(), executionArn: 'arn:exec' },
      { metadata: ports.metadata, mapRuns: { counts: async (arn) => ({ failedItems: arn === 'arn:map' ? 2 : 0 }) }, deadLetters: deadLetters(), environment: 'dev', now: () => clock },
    );

    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_failed: 2, failed_batches_key: 'map-results/x/manifest.json' });
  });
});

describe('a record too large for a Step Functions map item', () => {
  it('is one rejected record with the limit and what to do; the others are written, nothing is lost', async () => {
    // arrange: three records, the middle one ~300 KiB (a map item holds at most 256 KiB)
    const big = { shipment_id: 'S2', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', notes: 'x'.repeat(300 * 1024) };
    const lines = [
      { shipment_id: 'S1', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z' },
      big,
      { shipment_id: 'S3', status: 'DELIVERED', timestamp: '2026-01-05T11:00:00Z' },
    ].map((r) => JSON.stringify(r));
    const file = upload('incoming/huge-record.ndjson', `${lines.join('\n')}\n`);

    // act
    const item = await runBigPath(file);

    // assert: SUCCESS with the one reject, its line, its size and the limit in the reason
    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_read: 3, records_processed: 2, records_rejected: 1 });
    const rejects = ports.objects.text(BUCKET, item.rejected_key!)!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ record_number: 2, line: 2, field: null, record: big });
    expect(rejects[0].reason).toMatch(/^record is 307,\d{3} bytes as JSON; .* at most 253,952 bytes .* Upload this record in a file below the threshold/);
    const processed = ports.objects.text(BUCKET, item.processed_key!)!.split('\n').filter(Boolean).map((l) => JSON.parse(l).shipment_id);
    expect(processed).toEqual(['S1', 'S3']);
    expect([...ports.events.items.values()].map((e) => e.shipment_id).sort()).toEqual(['S1', 'S3']);
  });

  it('a record of exactly the limit is carried (the limit is on the processed line, newline left out)', async () => {
    // (a timestamp already in the form validation writes, so the processed line is this JSON + record_number)
    const base = { shipment_id: 'S1', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00.000Z', notes: '' };
    const overhead = Buffer.byteLength(JSON.stringify({ ...base, record_number: 1 }));
    const exact = { ...base, notes: 'é'.repeat(Math.floor((253_952 - overhead) / 2)) + 'x'.repeat((253_952 - overhead) % 2) };
    expect(Buffer.byteLength(JSON.stringify({ ...exact, record_number: 1 }))).toBe(253_952);
    const item = await runBigPath(upload('incoming/exact.ndjson', `${JSON.stringify(exact)}\n${JSON.stringify({ ...exact, notes: `${exact.notes}y` })}\n`));
    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_processed: 1, records_rejected: 1 });
  });

  it('the small path still accepts it (its limit is DynamoDB\'s 400 KB item)', async () => {
    const big = { shipment_id: 'S2', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', notes: 'x'.repeat(300 * 1024) };
    const { item } = await processFile(upload('incoming/small-path.ndjson', `${JSON.stringify(big)}\n`), ports, { environment: 'dev', writeOptions: { sleep: async () => {} } });
    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_processed: 1, records_rejected: 0 });
  });
});
