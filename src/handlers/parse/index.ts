/** Picks a parser by file extension (case-insensitive). */
import { extensionOf, inputFormatOf, listInputExtensions } from '../contract.js';
import { FileFormatError } from '../errors.js';
import { parseCsv } from './csv.js';
import { guardParse } from './guard.js';
import { parseJson } from './json.js';
import { parseLog } from './log.js';
import { parseNdjson } from './ndjson.js';
import type { Format, ParsedItem } from './types.js';

export { EMPTY_FILE } from './guard.js';
export type { Format, ParsedItem, ParsedRecord, ParseReject } from './types.js';

const PARSERS: Record<Format, (source: AsyncIterable<Uint8Array>) => AsyncIterable<ParsedItem>> = {
  json: parseJson,
  ndjson: parseNdjson,
  csv: parseCsv,
  log: parseLog,
};

const SUPPORTED = `use ${listInputExtensions()}`;

/** The format of `key`, or a FileFormatError saying which extensions would work. */
export function formatOf(key: string): Format {
  const extension = extensionOf(key);
  if (extension === undefined) throw new FileFormatError(`unsupported file type (no extension); ${SUPPORTED}`);
  const input = inputFormatOf(key);
  if (!input) throw new FileFormatError(`unsupported file type ${extension}; ${SUPPORTED}`);
  return input.format;
}

/** The records of `source`; a failure that is about the content is always a FileFormatError (guard.ts). */
export function parseRecords(format: Format, source: AsyncIterable<Uint8Array>): AsyncIterable<ParsedItem> {
  return guardParse(format, source, PARSERS[format]);
}
