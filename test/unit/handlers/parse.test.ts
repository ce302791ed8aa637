import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/handlers/errors.js';
import { type Format, type ParsedItem, formatOf, parseRecords } from '../../../src/handlers/parse/index.js';
import { parseLogLine } from '../../../src/handlers/parse/log.js';
import { MAX_LINE_BYTES } from '../../../src/handlers/parse/text.js';
import { fixture } from './helpers/factories.js';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(format: Format, content: string | Uint8Array, chunkSize = 5): Promise<ParsedItem[]> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const items: ParsedItem[] = [];
  for await (const item of parseRecords(format, chunked(bytes, chunkSize))) items.push(item);
  return items;
}

const values = (items: ParsedItem[]) => items.map((i) => (i.kind === 'record' ? i.value : i));

describe('formatOf', () => {
  it.each([
    ['incoming/a.json', 'json'],
    ['incoming/a.JSON', 'json'],
    ['incoming/x/a.ndjson', 'ndjson'],
    ['incoming/a.jsonl', 'ndjson'],
    ['incoming/a.Csv', 'csv'],
    ['incoming/a.log', 'log'],
    ['incoming/a.txt', 'log'],
    ['incoming/a.tar.json', 'json'],
  ])('%s is %s', (key, format) => {
    expect(formatOf(key)).toBe(format);
  });

  it('rejects an unknown extension, saying which ones work', () => {
    expect(() => formatOf('incoming/shipments.xyz')).toThrow(
      new FileFormatError('unsupported file type .xyz; use .json, .ndjson, .jsonl, .csv, .log or .txt'),
    );
  });

  it.each(['incoming/README', 'incoming/.csv', 'incoming/v1.2/data'])('rejects %s, which has no extension', (key) => {
    expect(() => formatOf(key)).toThrow(/unsupported file type \(no extension\)/);
  });
});

describe('json', () => {
  it('streams the elements of an array as records, numbered from 1', async () => {
    const items = await parse('json', fixture('valid.json'));
    expect(items.map((i) => [i.kind, i.recordNumber])).toEqual([['record', 1], ['record', 2], ['record', 3]]);
    expect(values(items)[1]).toEqual({
      shipment_id: ' SH1002 ',
      status: ' Delivered ',
      timestamp: '2026-01-05T12:30:00+02:00',
      weight_kg: 12.5,
      tags: ['fragile'],
    });
  });

  it('gives the same records whatever the chunk size', async () => {
    const bytes = fixture('valid.json');
    const whole = await parse('json', bytes, bytes.length);
    expect(await parse('json', bytes, 1)).toEqual(whole);
  });

  it('reads a single object as one record', async () => {
    expect(values(await parse('json', fixture('single.json')))).toEqual([
      { shipment_id: 'SH2001', status: 'created', timestamp: '2026-02-01T08:00:00.123Z', carrier: 'DHL' },
    ]);
  });

  it('yields non-object elements too, for validation to reject', async () => {
    expect(values(await parse('json', '[1, "x", null, [2], {"a": {"b": [3]}}]'))).toEqual([1, 'x', null, [2], { a: { b: [3] } }]);
  });

  it('reads [] as no records', async () => {
    expect(await parse('json', fixture('empty-array.json'))).toEqual([]);
  });

  it('keeps multi-byte characters split across chunks', async () => {
    const items = await parse('json', '[{"city":"Zürich 東京 🚚"}]', 1);
    expect(values(items)).toEqual([{ city: 'Zürich 東京 🚚' }]);
  });

  it('fails the file when it is malformed half-way, saying where', async () => {
    await expect(parse('json', fixture('malformed.json'))).rejects.toThrow(
      expect.objectContaining({ name: 'FileFormatError', message: expect.stringMatching(/^malformed JSON at the end of the file, in record 2: Parser has expected a value$/) }),
    );
  });

  it.each([
    ['trailing content', '[{"a":1}] [2]', /^malformed JSON at line 1, after the end of the top-level value: /],
    ['trailing content on a later line', '[\n{"a":1}\n]\n\nx', /^malformed JSON at line 5, after the end of the top-level value: /],
    ['a top-level number', '42', /top-level JSON value must be an array of records or a single record object/],
    ['a top-level string', '"x"', /top-level JSON value/],
    ['whitespace only', ' \n ', /^file is empty \(no data, or only whitespace\)$/],
    ['nesting deeper than the parser allows', `[${'['.repeat(5000)}`, /^JSON nested deeper than 256 levels at line 1, in record 1$/],
    ['an unterminated array', '[{"a":1}', /malformed JSON/],
  ])('fails the file on %s', async (_label, content, message) => {
    await expect(parse('json', content)).rejects.toThrow(message);
  });

  it('fails an empty (0-byte) file', async () => {
    await expect(parse('json', fixture('empty.json'))).rejects.toThrow(new FileFormatError('file is empty (no data, or only whitespace)'));
  });

  it('fails bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"city":"Montr'), Buffer.from([0xe9]), Buffer.from('al"}]')]);
    await expect(parse('json', bytes)).rejects.toThrow(/file is not valid UTF-8/);
  });

  it('fails a file cut inside a multi-byte character', async () => {
    await expect(parse('json', Buffer.from([0x5b, 0x22, 0xe6, 0x9d]))).rejects.toThrow(/not valid UTF-8/);
  });

  it('passes an error of the source stream through unchanged', async () => {
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    async function* failing() {
      yield Buffer.from('[{"a":1},');
      throw dropped;
    }
    const run = async () => {
      for await (const _ of parseRecords('json', failing()));
    };
    await expect(run()).rejects.toBe(dropped);
  });
});

describe('ndjson', () => {
  it('reads one record per line, skipping blank lines, with line numbers', async () => {
    const items = await parse('ndjson', fixture('valid.ndjson'));
    expect(items.map((i) => [i.recordNumber, i.line])).toEqual([[1, 1], [2, 3], [3, 4]]);
    expect(values(items)[2]).toMatchObject({ shipment_id: 'SH3003', reason: 'weather' });
  });

  it('rejects an unparsable line and carries on (CRLF, no final newline)', async () => {
    const items = await parse('ndjson', fixture('mixed.jsonl'));
    expect(items).toEqual([
      expect.objectContaining({ kind: 'record', recordNumber: 1, line: 1 }),
      expect.objectContaining({ kind: 'reject', recordNumber: 2, line: 2, field: null, raw: '{not json}' }),
      { kind: 'record', recordNumber: 3, line: 3, value: 42 },
      expect.objectContaining({ kind: 'record', recordNumber: 4, line: 4 }),
    ]);
    expect(items[1]).toMatchObject({ reason: expect.stringMatching(/^invalid JSON: /) });
  });

  it('rejects a line over the cap as one record and reads on, at any chunk size', async () => {
    const line = `{"a":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    for (const chunk of [64 * 1024, 3 * MAX_LINE_BYTES]) {
      const items = await parse('ndjson', `{}\n${line}\n{}\n`, chunk);
      expect(items.map((i) => [i.kind, i.recordNumber, i.line])).toEqual([['record', 1, 1], ['reject', 2, 2], ['record', 3, 3]]);
      expect(items[1]).toMatchObject({ reason: `line 2 is ${line.length} bytes, longer than the ${MAX_LINE_BYTES}-byte limit; skipped unread` });
    }
    const last = await parse('ndjson', `{}\n${line}`, 64 * 1024);
    expect(last.map((i) => [i.kind, i.line])).toEqual([['record', 1], ['reject', 2]]);
  });

  it('drops a BOM split across chunks', async () => {
    for (const chunk of [1, 2, 64]) expect(values(await parse('ndjson', '\uFEFF{"a":1}\n{"b":2}', chunk))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(values(await parse('ndjson', '\uFEFF{"a":1}', 1))).toEqual([{ a: 1 }]);
  });

  it('rejects a line that is not UTF-8 as one record, keeping the lines around it', async () => {
    const bad = Buffer.concat([Buffer.from('{}\n{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\r\n{"b":1}\n')]);
    for (const chunk of [1, 4, 1024]) {
      const items = await parse('ndjson', bad, chunk);
      expect(items.map((i) => [i.kind, i.recordNumber, i.line])).toEqual([['record', 1, 1], ['reject', 2, 2], ['record', 3, 3]]);
      expect(items[1]).toMatchObject({ reason: 'line 2 is not valid UTF-8' });
    }
  });
});

describe('csv', () => {
  it('names fields from the header, quoted commas and newlines included', async () => {
    const items = await parse('csv', fixture('valid.csv'));
    expect(items.map((i) => [i.recordNumber, i.line])).toEqual([[1, 2], [2, 3], [3, 5]]);
    expect(values(items)).toEqual([
      { shipment_id: 'SH5001', status: 'in_transit', timestamp: '2026-01-05T10:00:00Z', carrier: 'UPS', location: 'New York, NY' },
      { shipment_id: 'SH5002', status: 'DELIVERED', timestamp: '2026-01-05T11:00:00Z', carrier: 'DHL', location: 'Multi\nline' },
      { shipment_id: 'SH5003', status: 'created', timestamp: '2026-01-06T09:15:00-05:00', carrier: 'FedEx', location: 'Boston' },
    ]);
  });

  it('handles a BOM and CRLF line ends', async () => {
    const items = await parse('csv', fixture('bom.csv'), 2);
    expect(values(items)[0]).toEqual({ shipment_id: 'SH6001', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z' });
    expect(items).toHaveLength(2);
  });

  it('rejects ragged rows with their line numbers and keeps the rest', async () => {
    const items = await parse('csv', fixture('ragged.csv'));
    expect(items.map((i) => [i.kind, i.recordNumber, i.line])).toEqual([
      ['record', 1, 2],
      ['reject', 2, 3],
      ['reject', 3, 4],
      ['record', 4, 6],
    ]);
    expect(items[1]).toMatchObject({ field: null, reason: 'row has 3 fields, header has 4', raw: ['SH7002', 'DELIVERED', '2026-01-05T11:00:00Z'] });
  });

  it('counts lines across blank lines, quoted line breaks and mixed line ends', async () => {
    const items = await parse('csv', '\nshipment_id,status,timestamp\r\n1,2,3\n\n"x\r\ny",3,4\r\n4,5,6', 3);
    expect(items.map((i) => [i.recordNumber, i.line])).toEqual([[1, 3], [2, 5], [3, 7]]);
    expect(values(items)[1]).toEqual({ shipment_id: 'x\r\ny', status: '3', timestamp: '4' });
  });

  it('reads a header-only file as no records', async () => {
    expect(await parse('csv', fixture('header-only.csv'))).toEqual([]);
  });

  it('fails Latin-1 bytes as not UTF-8', async () => {
    await expect(parse('csv', fixture('latin1.csv'))).rejects.toThrow(
      expect.objectContaining({ name: 'FileFormatError', message: expect.stringMatching(/not valid UTF-8/) }),
    );
  });

  it.each([
    ['an unclosed quote', 'shipment_id,status,timestamp\n"1,2\n', /^malformed CSV: Quote Not Closed: .*opening quote at line 2$/],
    ['a stray quote in a field', 'shipment_id,status,timestamp\nA,B,C\nSH1,12" box,x\n', /^malformed CSV: Invalid Opening Quote: a quote is found on field 1 at line 3/],
    ['a formula with quotes', 'shipment_id,status,timestamp\nSH1,=HYPERLINK("x"),x\n', /^malformed CSV: Invalid Opening Quote: .* at line 2/],
    ['no header', 'SH1,CREATED,2026-01-05T10:00:00Z\n', /^CSV header \(line 1\) lacks the required columns shipment_id, status, timestamp;/],
    ['a header without shipment_id', 'id,status,timestamp\nSH1,CREATED,2026-01-05T10:00:00Z\n', /^CSV header \(line 1\) lacks the required column shipment_id;/],
    ['whitespace only', ' \r\n\n', /^file is empty \(no data, or only whitespace\)$/],
    ['a duplicate column', 'a,b,a\n1,2,3\n', /CSV header: column "a" appears twice/],
    ['an unnamed column', 'a,,c\n1,2,3\n', /CSV header: column 2 has no name/],
  ])('fails the file on %s', async (_label, content, message) => {
    await expect(parse('csv', content)).rejects.toThrow(message);
  });
});

describe('log', () => {
  it('reads events, skipping comments and blank lines, rejecting lines of another shape', async () => {
    const items = await parse('log', fixture('shipments.log'));
    expect(items.map((i) => [i.kind, i.recordNumber, i.line])).toEqual([
      ['record', 1, 2],
      ['record', 2, 3],
      ['reject', 3, 5],
      ['record', 4, 6],
      ['record', 5, 7],
    ]);
    expect(values(items)[0]).toEqual({
      timestamp: '2026-01-05T10:00:00Z',
      shipment_id: 'SH8001',
      status: 'IN_TRANSIT',
      carrier: 'UPS',
      location: 'New York',
    });
    expect(values(items)[1]).toMatchObject({ signed_by: 'J. "Jo" Doe' });
    expect(items[2]).toMatchObject({ raw: 'this line is not an event' });
  });

  it.each([
    ['shipment_id=SH1 status=X', 'timestamp', /must start with a timestamp/],
    ['2026-01-05T10:00:00Z shipment_id=SH1 status=IN TRANSIT', null, /expected field=value at column 48/],
    ['2026-01-05T10:00:00Z shipment_id=SH1 shipment_id=SH2', 'shipment_id', /more than once/],
    ['2026-01-05T10:00:00Z timestamp=2026-01-06', 'timestamp', /more than once/],
    ['2026-01-05T10:00:00Z note="unterminated', null, /expected field=value/],
  ])('rejects %j', (line, field, reason) => {
    expect(parseLogLine(line)).toEqual({ ok: false, field, reason: expect.stringMatching(reason) });
  });

  it('allows trailing whitespace and dotted field names', () => {
    expect(parseLogLine('2026-01-05T10:00:00Z shipment_id=SH1 geo.lat=40.7  ')).toEqual({
      ok: true,
      fields: { timestamp: '2026-01-05T10:00:00Z', shipment_id: 'SH1', 'geo.lat': '40.7' },
    });
  });
});
