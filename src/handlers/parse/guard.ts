/**
 * Where a failure happened decides what it means (errors.ts): this module draws that line for
 * parsing. The file's bytes come from S3 through `source`; everything a parser raises that did not
 * come out of that stream is about the content — whatever its type: a parser's own error (csv-parse's
 * codes, stream-json's messages), a RangeError, a TypeError on an odd value — and becomes a
 * FileFormatError naming the record or line it stopped at. An error of the stream itself (a dropped
 * connection, a throttled read) passes through untouched, for errors.ts to classify as AWS's.
 *
 * An empty file (0 bytes, or only whitespace) is also decided here, once for every format.
 */
import { FileFormatError, describeError } from '../errors.js';
import type { Format, ParsedItem } from './types.js';

export const EMPTY_FILE = 'file is empty (no data, or only whitespace)';

const LABEL: Record<Format, string> = { json: 'malformed JSON', ndjson: 'unreadable NDJSON', csv: 'malformed CSV', log: 'unreadable log' };

export async function* guardParse(
  format: Format,
  source: AsyncIterable<Uint8Array>,
  parse: (source: AsyncIterable<Uint8Array>) => AsyncIterable<ParsedItem>,
): AsyncGenerator<ParsedItem> {
  const fromSource = new WeakSet<object>();
  const iterator = parse(watch(source, fromSource))[Symbol.asyncIterator]();
  let last: ParsedItem | undefined;
  for (;;) {
    let next: IteratorResult<ParsedItem>;
    try {
      next = await iterator.next();
    } catch (err) {
      if (typeof err === 'object' && err !== null && fromSource.has(err)) throw err;
      if (err instanceof FileFormatError) throw err;
      const message = describeError(err);
      // csv-parse names the line itself, and it reads ahead of the records it has handed out.
      const where = /\bline \d+/.test(message) ? '' : ` ${after(last)}`;
      throw new FileFormatError(`${LABEL[format]}${where}: ${message}`, { cause: err });
    }
    if (next.done) return;
    last = next.value;
    yield next.value;
  }
}

function after(last: ParsedItem | undefined): string {
  if (!last) return 'before the first record';
  return `after record ${last.recordNumber}${last.line === undefined ? '' : ` (line ${last.line})`}`;
}

/** Passes `source` through, remembering its errors, and fails a file with nothing but whitespace. */
async function* watch(source: AsyncIterable<Uint8Array>, errors: WeakSet<object>): AsyncGenerator<Uint8Array> {
  let blank = true;
  let offset = 0;
  try {
    for await (const chunk of source) {
      // Scans only until the first byte that is not whitespace: the first byte, in any real file.
      if (blank) blank = isBlank(chunk, offset);
      offset += chunk.byteLength;
      yield chunk;
    }
  } catch (err) {
    if (typeof err === 'object' && err !== null) errors.add(err);
    throw err;
  }
  if (blank) throw new FileFormatError(EMPTY_FILE);
}

const BOM = [0xef, 0xbb, 0xbf];

function isBlank(chunk: Uint8Array, offset: number): boolean {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (offset + i < 3 && b === BOM[offset + i]) continue; // a BOM only at the very start
    return false;
  }
  return true;
}
