/** Picks a parser by file extension (case-insensitive). */
import { FileFormatError } from '../errors.js';
import { parseCsv } from './csv.js';
import { guardParse } from './guard.js';
import { parseJson } from './json.js';
import { parseLog } from './log.js';
import { parseNdjson } from './ndjson.js';
import type { Format, ParsedItem } from './types.js';

export { EMPTY_FILE } from './guard.js';
export type { Format, ParsedItem, ParsedRecord, ParseReject } from './types.js';

const BY_EXTENSION: Record<string, Format> = {
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.csv': 'csv',
  '.log': 'log',
  '.txt': 'log',
};

const PARSERS: Record<Format, (source: AsyncIterable<Uint8Array>) => AsyncIterable<ParsedItem>> = {
  json: parseJson,
  ndjson: parseNdjson,
  csv: parseCsv,
  log: parseLog,
};

const SUPPORTED = 'use .json, .ndjson, .jsonl, .csv, .log or .txt';

/** The format of `key`, or a FileFormatError saying which extensions would work. */
export function formatOf(key: string): Format {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  // A leading dot (".csv") is a hidden file's name, not an extension.
  if (dot <= 0) throw new FileFormatError(`unsupported file type (no extension); ${SUPPORTED}`);
  const extension = name.slice(dot);
  const format = BY_EXTENSION[extension.toLowerCase()];
  if (!format) throw new FileFormatError(`unsupported file type ${extension}; ${SUPPORTED}`);
  return format;
}

/** The records of `source`; a failure that is about the content is always a FileFormatError (guard.ts). */
export function parseRecords(format: Format, source: AsyncIterable<Uint8Array>): AsyncIterable<ParsedItem> {
  return guardParse(format, source, PARSERS[format]);
}
