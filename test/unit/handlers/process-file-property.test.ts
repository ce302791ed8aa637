/**
 * Property: whatever mix of good and bad records a file holds, in any format, nothing vanishes and
 * nothing is retried. Files are generated from a seeded PRNG (the seed is in the test name, so a
 * failure reproduces), uploaded to the embedded local AWS and processed by processFile with the real
 * AWS ports: every file ends SUCCESS with records_read = processed + rejected = the records written,
 * processed = the good ones, and processFile never throws (a throw is what makes SQS retry).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../../../src/handlers/process-file.js';
import { type LocalPorts, localPorts } from './helpers/local-ports.js';
import { prng } from '../../helpers/prng.js';

let aws: LocalPorts;
let eventsWritten = 0;

beforeAll(async () => {
  aws = await localPorts();
}, 30_000);

afterAll(async () => {
  await aws?.stop();
});


type Piece = string | Buffer;
interface Generated {
  pieces: Piece[];
  good: number;
  bad: number;
}

const iso = (i: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, i)).toISOString();
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const goodJson = (id: string, i: number) => `{"shipment_id":"${id}","status":"in_transit","timestamp":"${iso(i)}","weight":${i}.5,"tags":["x"]}`;

// Records DynamoDB (or validation) must refuse, as JSON text: each must become one rejected record.
const BAD_JSON = [
  (i: number) => `{"status":"X","timestamp":"${iso(i)}"}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"2026-13-45"}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"${iso(i)}","n":1e200}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"${iso(i)}","n":-1e400}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"${iso(i)}","n":1e-200}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"${iso(i)}","":1}`,
  (i: number) => `{"shipment_id":"B${i}","status":"X","timestamp":"${iso(i)}","deep":${deep(40)}}`,
  () => '42',
  () => `{"shipment_id":"  ","status":"X","timestamp":"2026-01-05T10:00:00Z"}`,
];
const BAD_LINE = [() => '{not json', () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), (i: number) => `{"a":${deep(2500)},"i":${i}}`];

function generate(format: string, seed: number): Generated {
  const rnd = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!;
  const count = 5 + Math.floor(rnd() * 40);
  const out: Generated = { pieces: [], good: 0, bad: 0 };
  const add = (ok: boolean, piece: Piece) => {
    out.pieces.push(piece);
    if (ok) out.good++;
    else out.bad++;
  };
  if (format === 'csv') out.pieces.push('shipment_id,status,timestamp,note\r\n');
  for (let i = 0; i < count; i++) {
    const ok = rnd() < 0.6;
    const id = `S${seed}-${i}`;
    if (format === 'json' || format === 'ndjson') {
      const bad = format === 'ndjson' && rnd() < 0.4 ? pick(BAD_LINE)(i) : pick(BAD_JSON)(i);
      add(ok, ok ? goodJson(id, i) : bad);
    } else if (format === 'csv') {
      const bad = pick([`${id},X\r\n`, `${id},,${iso(i)},x\r\n`, `${id},X,yesterday,x\r\n`, `"${id}",X,${iso(i)},a,b\r\n`]);
      add(ok, ok ? `${id},delivered,${iso(i)},"12"" box, ""fragile"""\r\n` : bad);
    } else {
      const bad = pick([`${iso(i)} shipment_id=${id}\n`, `not an event\n`, `${iso(i)} shipment_id=${id} status=X status=Y\n`, Buffer.from([0x32, 0xff, 0x0a])]);
      add(ok, ok ? `${iso(i)} shipment_id=${id} status=DELIVERED note="a \\"quoted\\" word"\n` : bad);
    }
    // Blank lines and comments are not records, in the formats where they are allowed.
    if (format === 'log' && rnd() < 0.1) out.pieces.push('# comment\n\n');
    if (format === 'ndjson' && rnd() < 0.1) out.pieces.push('\n');
  }
  return out;
}

function fileBody(format: string, g: Generated): Buffer {
  if (format === 'json') return Buffer.from(`[\n${g.pieces.join(',\n')}\n]\n`);
  const parts = format === 'ndjson' ? g.pieces.flatMap((p) => [typeof p === 'string' ? Buffer.from(p) : p, Buffer.from('\n')]) : g.pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
  return Buffer.concat(parts);
}

const SEEDS = [1, 2, 3, 4, 5];
const FORMATS = ['json', 'ndjson', 'csv', 'log'] as const;

describe('processFile on random mixes of good and bad records (embedded local AWS)', () => {
  it.each(FORMATS.flatMap((format) => SEEDS.map((seed) => [format, seed] as const)))('%s, seed %i: nothing vanishes, nothing is retried', async (format, seed) => {
    const generated = generate(format, seed);
    const file = await aws.upload(`incoming/prop/${seed}.${format}`, fileBody(format, generated));

    const { item } = await processFile(file, aws.ports, { environment: 'test' });

    expect(item).toMatchObject({
      processing_status: 'SUCCESS',
      records_read: generated.good + generated.bad,
      records_processed: generated.good,
      records_rejected: generated.bad,
    });
    expect(item.records_processed + item.records_rejected).toBe(item.records_read);
    eventsWritten += generated.good;
    expect(await aws.eventCount()).toBe(eventsWritten);
  });
});
