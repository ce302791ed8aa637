/**
 * Bytes → text, shared by every format.
 *
 * - `decodeUtf8` (JSON, CSV: whole-document formats) decodes a stream strictly: bytes that are not
 *   UTF-8 are a FileFormatError, since one bad byte can change how the rest of the document reads.
 * - `readLines` (NDJSON, log lines, our own output) works on bytes: it splits on `\n` first, then
 *   decodes each line, so that a line that is not UTF-8 or longer than the cap is one bad line and
 *   not the end of the file. An over-long line is skipped as it streams past, never buffered.
 * A leading BOM is dropped by both.
 */
import { TextDecoder } from 'node:util';
import { FileFormatError } from '../errors.js';

/** Decoded text of `source`, chunk by chunk. */
export async function* decodeUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.byteLength;
    const text = decode(decoder, chunk, bytes - chunk.byteLength, true);
    if (text) yield text;
  }
  const tail = decode(decoder, undefined, bytes, false);
  if (tail) yield tail;
}

function decode(decoder: TextDecoder, chunk: Uint8Array | undefined, offset: number, stream: boolean): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    // The decoder cannot say which byte was bad; the chunk's offset narrows it down for the user.
    throw new FileFormatError(`file is not valid UTF-8 (invalid bytes at or after byte ${offset})`);
  }
}

/** One physical line: its text, or why it could not be read. */
export type Line = { number: number; text: string; problem?: undefined } | { number: number; problem: string; preview?: string };

/** A line longer than this (in bytes) is not read: for a line format it is one rejected record. */
export const MAX_LINE_BYTES = 1024 * 1024;

const NL = 0x0a;
const PREVIEW_CHARS = 200;

/** Splits bytes into lines on `\n` (dropping a trailing `\r`); a final line without `\n` counts. */
export async function* readLines(source: AsyncIterable<Uint8Array>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // The start of a line that spans chunks; `skipped` counts the bytes of an over-long line instead.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipped = -1;
  let number = 0;

  const finishLine = (head: Buffer): Line => {
    number++;
    if (skipped >= 0) {
      const bytes = skipped + head.length;
      skipped = -1;
      return tooLong(number, bytes, maxBytes);
    }
    const bytes = pending.length === 0 ? head : Buffer.concat([...pending, head]);
    pending = [];
    pendingBytes = 0;
    return oneLine(strict, bytes, number, maxBytes);
  };
  const keep = (tail: Buffer) => {
    if (tail.length === 0) return;
    if (skipped >= 0) {
      skipped += tail.length;
    } else if (pendingBytes + tail.length > maxBytes) {
      skipped = pendingBytes + tail.length;
      pending = [];
      pendingBytes = 0;
    } else {
      pending.push(Buffer.from(tail)); // a copy: the source may reuse its buffer
      pendingBytes += tail.length;
    }
  };

  for await (const raw of source) {
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const firstNl = chunk.indexOf(NL);
    if (firstNl === -1) {
      keep(chunk);
      continue;
    }
    yield dropBom(finishLine(chunk.subarray(0, firstNl)));
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl > firstNl) {
      const middle = chunk.subarray(firstNl + 1, lastNl);
      for (const line of middleLines(strict, middle, number, maxBytes)) {
        number = line.number;
        yield line;
      }
    }
    keep(chunk.subarray(lastNl + 1));
  }
  if (skipped >= 0) yield tooLong(++number, skipped, maxBytes);
  else if (pendingBytes > 0) yield dropBom(finishLine(Buffer.alloc(0)));
}

/** A byte order mark is not text; only the first line can start with one. */
function dropBom(line: Line): Line {
  if (line.problem !== undefined || line.number !== 1 || !line.text.startsWith('\uFEFF')) return line;
  return { number: 1, text: line.text.slice(1) };
}

/** Complete lines between two newlines of one chunk: decoded in one go unless something is wrong. */
function* middleLines(strict: TextDecoder, bytes: Buffer, before: number, maxBytes: number): Generator<Line> {
  if (bytes.length <= maxBytes) {
    let text: string | undefined;
    try {
      text = strict.decode(bytes);
    } catch {
      // fall through to line by line, to find the bad one(s)
    }
    if (text !== undefined) {
      let number = before;
      let start = 0;
      for (let end = text.indexOf('\n'); ; end = text.indexOf('\n', start)) {
        yield { number: ++number, text: stripCr(end === -1 ? text.slice(start) : text.slice(start, end)) };
        if (end === -1) return;
        start = end + 1;
      }
    }
  }
  let number = before;
  let start = 0;
  for (let end = bytes.indexOf(NL); ; end = bytes.indexOf(NL, start)) {
    yield oneLine(strict, bytes.subarray(start, end === -1 ? bytes.length : end), ++number, maxBytes);
    if (end === -1) return;
    start = end + 1;
  }
}

function oneLine(strict: TextDecoder, bytes: Buffer, number: number, maxBytes: number): Line {
  if (bytes.length > maxBytes) return tooLong(number, bytes.length, maxBytes);
  try {
    return { number, text: stripCr(strict.decode(bytes)) };
  } catch {
    const preview = bytes.subarray(0, PREVIEW_CHARS * 4).toString('utf8').slice(0, PREVIEW_CHARS);
    return { number, problem: `line ${number} is not valid UTF-8`, preview };
  }
}

function tooLong(number: number, bytes: number, maxBytes: number): Line {
  return { number, problem: `line ${number} is ${bytes} bytes, longer than the ${maxBytes}-byte limit; skipped unread` };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
