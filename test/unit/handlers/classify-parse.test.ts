/**
 * Classification by where a failure happens (parse/guard.ts): whatever a parser throws is the
 * content's fault (FileFormatError → FAILED at once); what the source stream throws is passed on
 * untouched (errors.ts decides: a dropped connection is transient, so it is retried).
 */
import { describe, expect, it } from 'vitest';
import { FileFormatError, classifyError } from '../../../src/handlers/errors.js';
import { guardParse } from '../../../src/handlers/parse/guard.js';
import { type Format, parseRecords } from '../../../src/handlers/parse/index.js';
import type { ParsedItem } from '../../../src/handlers/parse/types.js';

async function drain(items: AsyncIterable<ParsedItem>): Promise<ParsedItem[]> {
  const out: ParsedItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* bytes(...chunks: string[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield Buffer.from(c);
}

describe('guardParse', () => {
  it.each([
    ['a RangeError (stack exhaustion)', new RangeError('Maximum call stack size exceeded'), /^malformed JSON after record 1: RangeError: Maximum call stack size exceeded$/],
    ['a parser error without a known code', Object.assign(new Error('Invalid Opening Quote'), { code: 'INVALID_OPENING_QUOTE' }), /^malformed JSON after record 1: Invalid Opening Quote$/],
    ['a TypeError', new TypeError('x is not a function'), /^malformed JSON after record 1: TypeError: x is not a function$/],
    ['a thrown string', 'boom', /^malformed JSON after record 1: boom$/],
  ])('turns %s raised while parsing into a FileFormatError with the position', async (_label, thrown, message) => {
    async function* parser(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
      for await (const _ of source);
      yield { kind: 'record', recordNumber: 1, value: {} };
      throw thrown;
    }
    const err = await drain(guardParse('json', bytes('{}'), parser)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(message);
    expect(classifyError(err)).toBe('format');
  });

  it.each<Format>(['json', 'ndjson', 'csv', 'log'])('%s: an error of the source stream passes through unchanged, still transient', async (format) => {
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    async function* failing() {
      yield Buffer.from(format === 'csv' ? 'shipment_id,status,timestamp\nA,B,C\n' : '{"a":1}\n');
      throw dropped;
    }
    await expect(drain(parseRecords(format, failing()))).rejects.toBe(dropped);
    expect(classifyError(dropped)).toBe('transient');
  });

  it.each<Format>(['json', 'ndjson', 'csv', 'log'])('%s: 0 bytes and whitespace only fail alike', async (format) => {
    for (const content of [[], [' '], ['\n', '\r\n\t'], ['\uFEFF']]) {
      await expect(drain(parseRecords(format, bytes(...content)))).rejects.toThrow(new FileFormatError('file is empty (no data, or only whitespace)'));
    }
  });
});
