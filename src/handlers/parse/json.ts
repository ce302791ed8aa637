/**
 * `.json`: either an array of records, streamed element by element, or one object (= one record).
 *
 * We drive stream-json's stream-agnostic core directly (tokenizer function → Assembler) rather than
 * its Node Duplex wrappers: no object-mode stream per token, and errors surface right here. The
 * tokenizer reports no position and drops the tokens of a call that throws, so we feed it one line
 * at a time: an error then names its real line. Only one array element is in memory at a time.
 *
 * Nesting is bounded while tokens stream by (MAX_JSON_DEPTH): a document nested deeper is a
 * FileFormatError with its line, not a record we would hold and walk. Records nested less deeply
 * than that, but deeper than DynamoDB allows, are assembled and then rejected by validation.
 */
import { Assembler } from 'stream-json/core/assembler.js';
import { jsonParser } from 'stream-json/core/parser.js';
import type { Token } from 'stream-json/core/parser.js';
import { none } from 'stream-chain/defs.js';
import { FileFormatError } from '../errors.js';
import { decodeUtf8 } from './text.js';
import type { ParsedItem } from './types.js';

/** Brackets open at once, counting the top-level array: far beyond any record DynamoDB could store. */
export const MAX_JSON_DEPTH = 256;

export async function* parseJson(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  // Packed tokens only: one token per key, string and number instead of start/chunk/end triples.
  const tokenize = jsonParser({ packValues: true, streamValues: false });
  const reader = new RecordReader();
  const out: ParsedItem[] = [];
  for await (const text of decodeUtf8(source)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', start)) {
      const end = nl === -1 ? text.length : nl + 1;
      if (end > start) reader.consume(tokens(tokenize, text.slice(start, end), reader), out);
      if (nl === -1) break;
      reader.line++;
      start = end;
    }
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  // stream-chain's flush protocol: calling with `none` makes the tokenizer finish (or complain).
  reader.atEnd = true;
  reader.consume(tokens(tokenize, none as unknown as string, reader), out);
  yield* out;
  reader.finish();
}

function tokens(tokenize: (text: string) => unknown, text: string, reader: RecordReader): Token[] {
  let out: unknown;
  try {
    out = tokenize(text);
  } catch (err) {
    throw new FileFormatError(`malformed JSON ${reader.where()}: ${(err as Error).message}`);
  }
  // The tokenizer returns `none` or a stream-chain `Many` wrapper holding the tokens it completed.
  return out === none ? [] : (out as { values: Token[] }).values;
}

/** Turns the token stream into records, tracking whether the top level is an array or an object. */
class RecordReader {
  /** 1-based line of the text being tokenized. */
  line = 1;
  /** Set once all the text was fed: what fails now fails at the end of the file. */
  atEnd = false;
  private top: 'array' | 'object' | 'closed' | undefined;
  private readonly asm = new Assembler();
  private count = 0;
  private depth = 0;

  /** Appends the records that `batch` completes to `out`. */
  consume(batch: Token[], out: ParsedItem[]): void {
    for (const token of batch) {
      this.track(token);
      switch (this.top) {
        case undefined:
          this.start(token);
          break;
        case 'object':
          this.asm.consume(token);
          if (this.asm.done) {
            this.top = 'closed';
            out.push({ kind: 'record', recordNumber: ++this.count, value: this.asm.current });
          }
          break;
        case 'array':
          // `done` between elements: the assembler is idle, so this token starts an element or ends the array.
          if (this.asm.done && token.name === 'endArray') {
            this.top = 'closed';
          } else {
            this.asm.consume(token);
            if (this.asm.done) out.push({ kind: 'record', recordNumber: ++this.count, value: this.asm.current });
          }
          break;
        case 'closed':
          // The tokenizer rejects trailing content itself; this is a guard, not a path we expect.
          throw new FileFormatError(`malformed JSON ${this.where()}: unexpected content after the top-level value`);
      }
    }
  }

  private track(token: Token): void {
    if (token.name === 'startObject' || token.name === 'startArray') {
      if (++this.depth > MAX_JSON_DEPTH) {
        throw new FileFormatError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels ${this.where()}`);
      }
    } else if (token.name === 'endObject' || token.name === 'endArray') {
      this.depth--;
    }
  }

  private start(token: Token): void {
    if (token.name === 'startArray') {
      this.top = 'array';
    } else if (token.name === 'startObject') {
      this.top = 'object';
      this.asm.consume(token);
    } else {
      throw new FileFormatError('the top-level JSON value must be an array of records or a single record object');
    }
  }

  finish(): void {
    if (this.top === undefined) throw new FileFormatError('file contains no JSON value');
    if (this.top !== 'closed') throw new FileFormatError(`malformed JSON ${this.where()}: unexpected end of file`);
  }

  /** Where we are, for error messages: a line, and which record it is in or follows. */
  where(): string {
    const at = this.atEnd ? 'at the end of the file' : `at line ${this.line}`;
    if (this.top === undefined) return at;
    if (this.top === 'closed') return `${at}, after the end of the top-level value`;
    if (this.top === 'object') return `${at}, in the record`;
    return this.asm.done ? `${at}, after record ${this.count}` : `${at}, in record ${this.count + 1}`;
  }
}
