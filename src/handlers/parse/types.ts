/**
 * What every format parser yields: one item per record read, in file order. A record the parser
 * could not even turn into a value (a ragged CSV row, an unparsable NDJSON or log line) is a
 * `reject` here; a record that parsed but fails validation is rejected later, by validate.ts.
 * A problem with the file as a whole is thrown as a FileFormatError instead.
 */
import type { InputFormat } from '../contract.js';

interface Position {
  /** 1-based index among the records read from this file (accepted and rejected alike). */
  recordNumber: number;
  /** 1-based line of the file where the record starts, for line-based formats. */
  line?: number;
}

export interface ParsedRecord extends Position {
  kind: 'record';
  value: unknown;
}

export interface ParseReject extends Position {
  kind: 'reject';
  /** The field at fault, or null when the whole record is. */
  field: string | null;
  reason: string;
  /** The raw text or cells of the record, when there is something worth showing. */
  raw?: unknown;
}

export type ParsedItem = ParsedRecord | ParseReject;

/** One per parser; which extensions map to which is the contract's INPUT_FORMATS. */
export type Format = InputFormat;
