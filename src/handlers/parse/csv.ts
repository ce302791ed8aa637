/**
 * `.csv`: RFC 4180 via csv-parse. The first row names the fields (trimmed); every cell is a string.
 * Line ends may be LF or CRLF; blank lines are skipped. A row with more or fewer cells than the
 * header is a rejected record with its line number. A header that lacks a required column is a
 * FileFormatError naming the columns (a file without a header would otherwise lose every row). A file
 * csv-parse cannot read at all (a stray or unclosed quote, a row over 1 MiB) fails as a whole: every
 * error it raises is about the content, and parse/index.ts turns it into a FileFormatError with the
 * record it stopped at.
 *
 * csv-parse checks column counts itself, but it would stop at the first ragged row, so we let it
 * pass rows of any length (`relax_column_count`) and compare against the header here.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { FileFormatError } from '../errors.js';
import { REQUIRED_FIELDS } from '../validate.js';
import { MAX_LINE_BYTES, decodeUtf8 } from './text.js';
import type { ParsedItem } from './types.js';

export async function* parseCsv(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  const parser = parse({
    relax_column_count: true,
    bom: true,
    // Both line ends, always: auto-detection goes by the first line end it meets.
    record_delimiter: ['\r\n', '\n'],
    max_record_size: MAX_LINE_BYTES,
  });
  const input = Readable.from(decodeUtf8(source));
  // `pipe` does not forward errors: a bad byte or a dropped S3 connection must reach the loop below.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  let header: string[] | undefined;
  let recordNumber = 0;
  // We count lines ourselves: csv-parse's `info` option would, but it doubles the parsing time.
  let nextLine = 1;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + newlinesIn(cells);
      if (cells.length === 1 && cells[0] === '') continue; // a blank line
      if (header === undefined) {
        header = readHeader(cells, line);
        continue;
      }
      const position = { recordNumber: ++recordNumber, line };
      if (cells.length !== header.length) {
        const reason = `row has ${cells.length} fields, header has ${header.length}`;
        yield { kind: 'reject', ...position, field: null, reason, raw: cells };
      } else {
        // fromEntries defines own properties, so a column named __proto__ is data, not a prototype.
        const value = Object.fromEntries(header.map((name, i) => [name, cells[i]]));
        yield { kind: 'record', ...position, value };
      }
    }
  } finally {
    input.destroy();
  }
}

/** Line breaks inside quoted cells: a row spans that many extra lines. */
function newlinesIn(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) count++;
  }
  return count;
}

function readHeader(cells: string[], line: number): string[] {
  const names = cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') throw new FileFormatError(`CSV header: column ${i + 1} has no name`);
    if (seen.has(name)) throw new FileFormatError(`CSV header: column "${name}" appears twice`);
    seen.add(name);
  }
  const missing = REQUIRED_FIELDS.filter((field) => !names.includes(field));
  if (missing.length > 0) {
    const list = missing.join(', ');
    throw new FileFormatError(
      `CSV header (line ${line}) lacks the required column${missing.length > 1 ? 's' : ''} ${list}; the first row must name the columns`,
    );
  }
  return names;
}
