/**
 * Bytes → text, shared by every format. Streaming and strict: a fatal TextDecoder turns bytes that
 * are not UTF-8 into a FileFormatError instead of U+FFFD, and `stream: true` keeps a character whose
 * bytes straddle two chunks intact. A leading BOM is dropped by the decoder.
 */
import { TextDecoder } from 'node:util';
import { FileFormatError } from '../errors.js';

/** Decoded text of `source`, chunk by chunk. An empty (0-byte) source is a FileFormatError. */
export async function* decodeUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.byteLength;
    const text = decode(decoder, chunk, bytes - chunk.byteLength, true);
    if (text) yield text;
  }
  if (bytes === 0) throw new FileFormatError('file is empty (0 bytes)');
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

export interface Line {
  /** 1-based physical line number in the file. */
  number: number;
  text: string;
}

/** Lines longer than this make the file fail, so that one runaway line cannot exhaust memory. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Splits text into lines on `\n`, dropping a trailing `\r`. A final line without `\n` counts. */
export async function* splitLines(text: AsyncIterable<string>): AsyncGenerator<Line> {
  // Pieces of a line that spans chunks. Only each new chunk is scanned for `\n`, so a long line
  // arriving in many small chunks costs linear, not quadratic, time.
  let pending: string[] = [];
  let pendingChars = 0;
  let number = 0;
  for await (const chunk of text) {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      let line = chunk.slice(start, end);
      if (pending.length > 0) {
        pending.push(line);
        line = pending.join('');
        pending = [];
        pendingChars = 0;
      }
      if (line.length > MAX_LINE_CHARS) throw tooLong(number + 1);
      yield { number: ++number, text: stripCr(line) };
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.slice(start));
      pendingChars += chunk.length - start;
      if (pendingChars > MAX_LINE_CHARS) throw tooLong(number + 1);
    }
  }
  if (pending.length > 0) yield { number: ++number, text: stripCr(pending.join('')) };
}

function tooLong(line: number): FileFormatError {
  return new FileFormatError(`line ${line} is longer than ${MAX_LINE_CHARS} characters`);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
