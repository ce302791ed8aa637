/**
 * `.ndjson` / `.jsonl`: one JSON value per line. Blank lines are skipped and are not records.
 * A line that is not valid JSON, not UTF-8, or over the line cap is a rejected record (with its line
 * number), not a file failure: the other lines are independent, so one bad line should not cost the
 * rest of the file. Whether the value is an object is checked by validate.ts, like for every format.
 */
import { readLines } from './text.js';
import type { ParsedItem } from './types.js';

export async function* parseNdjson(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  let recordNumber = 0;
  for await (const line of readLines(source)) {
    if (line.problem !== undefined) {
      yield { kind: 'reject', recordNumber: ++recordNumber, line: line.number, field: null, reason: line.problem, raw: line.preview };
      continue;
    }
    const { number, text } = line;
    if (text.trim() === '') continue;
    const position = { recordNumber: ++recordNumber, line: number };
    let value: unknown;
    try {
      // V8's JSON.parse is not recursive, so even a line nested thousands deep parses (and is then
      // rejected by validation); anything it throws is about this line alone.
      value = JSON.parse(text);
    } catch (err) {
      yield { kind: 'reject', ...position, field: null, reason: `invalid JSON: ${(err as Error).message}`, raw: text };
      continue;
    }
    yield { kind: 'record', ...position, value };
  }
}
