/**
 * `.ndjson` / `.jsonl`: one JSON value per line. Blank lines are skipped and are not records.
 * A line that is not valid JSON is a rejected record (with its line number), not a file failure:
 * the other lines are independent, so one bad line should not cost the rest of the file.
 * Whether the value is an object is checked by validate.ts, like for every format.
 */
import { decodeUtf8, splitLines } from './text.js';
import type { ParsedItem } from './types.js';

export async function* parseNdjson(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  let recordNumber = 0;
  for await (const { number, text } of splitLines(decodeUtf8(source))) {
    if (text.trim() === '') continue;
    const position = { recordNumber: ++recordNumber, line: number };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { kind: 'reject', ...position, field: null, reason: `invalid JSON: ${(err as Error).message}`, raw: text };
      continue;
    }
    yield { kind: 'record', ...position, value };
  }
}
