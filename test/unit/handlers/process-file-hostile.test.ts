/**
 * Hostile files, processed with the real AWS ports against the embedded local AWS: each must end
 * with a decided outcome on the first attempt — FAILED with a reason that says where, or SUCCESS
 * with the bad records rejected — and never reach the "unclassified, retry" path (processFile
 * throwing is what makes SQS retry, so it must not throw for any of these).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../../../src/handlers/process-file.js';
import { type LocalPorts, localPorts } from './helpers/local-ports.js';

let aws: LocalPorts;

beforeAll(async () => {
  aws = await localPorts();
}, 30_000);

afterAll(async () => {
  await aws?.stop();
});

const good = (id: string) => `{"shipment_id":"${id}","status":"X","timestamp":"2026-01-05T10:00:00Z"}`;
const EMPTY = /^file is empty \(no data, or only whitespace\)$/;

const FAILED: [string, string | Buffer, RegExp][] = [
  ['quote.csv', 'shipment_id,status,timestamp\nSH1,12" box,2026-01-05T10:00:00Z\n', /^malformed CSV: Invalid Opening Quote: .* at line 2/],
  ['formula.csv', 'shipment_id,status,timestamp\nSH1,"ok",2026-01-05T10:00:00Z\nSH2,=HYPERLINK("x"),2026-01-05T10:00:00Z\n', /^malformed CSV: .* at line 3/],
  ['no-header.csv', 'SH1,CREATED,2026-01-05T10:00:00Z\n', /lacks the required columns shipment_id, status, timestamp/],
  ['deep-array.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, /^JSON nested deeper than 256 levels at line 1/],
  ['deep-object.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, /^JSON nested deeper than 256 levels at line 1, in the record$/],
  ['deep-record.json', `[\n${good('A')},\n{"a":${'['.repeat(50_000)}\n]`, /^JSON nested deeper than 256 levels at line 3, in record 2$/],
  ['trailing.json', `[\n${good('A')}\n]\ngarbage`, /^malformed JSON at line 4, after the end of the top-level value: /],
  ['zero.json', '', EMPTY],
  ['blank.json', ' \r\n\t\n', EMPTY],
  ['blank.ndjson', '\n\n   \n', EMPTY],
  ['blank.csv', '\uFEFF \n', EMPTY],
  ['zero.log', '', EMPTY],
  ['latin1.json', Buffer.from('[{"city":"Z\xfcrich"}]', 'latin1'), /^file is not valid UTF-8/],
  ['nul.json', Buffer.from([0x5b, 0x00, 0x5d]), /^malformed JSON at line 1: Parser cannot parse input/],
  ['number.json', '42', /top-level JSON value must be an array of records or a single record object/],
];

describe('hostile files: decided on the first attempt, never an unclassified error', () => {
  it.each(FAILED)('%s: FAILED with where and why, quarantined', async (name, body, reason) => {
    const file = await aws.upload(`incoming/hostile/${name}`, body);
    const { item } = await processFile(file, aws.ports, { environment: 'test' });
    expect(item).toMatchObject({ processing_status: 'FAILED', records_read: 0, quarantine_key: `quarantine/hostile/${name}` });
    expect(item.error_message).toMatch(reason);
  });

  it('an NDJSON file with a bad line, a non-UTF-8 line, a 2 MiB line and unstorable records: only those rejected', async () => {
    const lines = [
      good('N1'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`,
      `{"shipment_id":"N2","status":"X","timestamp":"2026-01-05T10:00:00Z","n":1e200}`,
      `{"shipment_id":"N3","status":"X","timestamp":"2026-01-05T10:00:00Z","n":1e400}`,
      `{"shipment_id":"N4","status":"X","timestamp":"2026-01-05T10:00:00Z","d":${'['.repeat(2500)}${']'.repeat(2500)}}`,
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      '{"half":',
      good('N5'),
    ];
    const body = Buffer.concat(lines.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
    const file = await aws.upload('incoming/hostile/mixed.ndjson', body);

    const { item } = await processFile(file, aws.ports, { environment: 'test' });

    expect(item).toMatchObject({ processing_status: 'SUCCESS', records_read: 9, records_processed: 2, records_rejected: 7 });
  });
});
