/**
 * `.log` / `.txt`: one shipment event per line, as carrier systems commonly write them:
 *
 *     <timestamp> <field>=<value> [<field>=<value> ...]
 *     2026-01-05T10:00:00Z shipment_id=SH1 status=IN_TRANSIT carrier=UPS location="New York"
 *
 * - The first word is the event's `timestamp` (validated as ISO-8601 later, like other formats).
 * - A field name is a letter or `_` followed by letters, digits, `_`, `.` or `-`.
 * - A value is either bare (no spaces or double quotes) or double-quoted, where `\"` and `\\`
 *   stand for `"` and `\`. Values stay strings: `weight=12.5` gives "12.5".
 * - Blank lines and lines starting with `#` are skipped and are not records.
 * - A line that does not follow this shape, names a field twice, is not UTF-8 or is over the line
 *   cap, is a rejected record.
 */
import { readLines } from './text.js';
import type { ParsedItem } from './types.js';

const FIRST_WORD = /^\s*(\S+)/y;
// Sticky: each match must start exactly where the previous one ended.
const PAIR = /\s+([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|[^\s"]+)/y;

export type LogLine = { ok: true; fields: Record<string, string> } | { ok: false; field: string | null; reason: string };

/** Parses one non-blank, non-comment line. Exported for unit tests. */
export function parseLogLine(text: string): LogLine {
  FIRST_WORD.lastIndex = 0;
  const first = FIRST_WORD.exec(text);
  if (!first || first[1]!.includes('=')) {
    return { ok: false, field: 'timestamp', reason: 'line must start with a timestamp, then field=value pairs' };
  }
  const fields: Record<string, string> = Object.create(null);
  fields['timestamp'] = first[1]!;
  let index = FIRST_WORD.lastIndex;
  for (;;) {
    PAIR.lastIndex = index;
    const pair = PAIR.exec(text);
    if (!pair) break;
    const [, name, raw] = pair as unknown as [string, string, string];
    if (Object.hasOwn(fields, name)) return { ok: false, field: name, reason: 'field appears more than once' };
    fields[name] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    index = PAIR.lastIndex;
  }
  const rest = text.slice(index);
  if (rest.trim() !== '') {
    const column = index + rest.length - rest.trimStart().length + 1;
    return { ok: false, field: null, reason: `expected field=value at column ${column}` };
  }
  // Plain object for callers: the null prototype above only guarded the duplicate check.
  return { ok: true, fields: { ...fields } };
}

export async function* parseLog(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  let recordNumber = 0;
  for await (const line of readLines(source)) {
    if (line.problem !== undefined) {
      yield { kind: 'reject', recordNumber: ++recordNumber, line: line.number, field: null, reason: line.problem, raw: line.preview };
      continue;
    }
    const { number, text } = line;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const position = { recordNumber: ++recordNumber, line: number };
    const parsed = parseLogLine(text);
    if (parsed.ok) yield { kind: 'record', ...position, value: parsed.fields };
    else yield { kind: 'reject', ...position, field: parsed.field, reason: parsed.reason, raw: text };
  }
}
