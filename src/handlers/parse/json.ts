/**
 * `.json`: either an array of records, streamed element by element, or one object (= one record).
 *
 * We drive stream-json's stream-agnostic core directly (tokenizer function → Assembler) rather than
 * its Node Duplex wrappers: no object-mode stream per token, and errors surface right here, where we
 * can tell a malformed file (FileFormatError) from a failing source stream (rethrown as it is, so a
 * dropped S3 connection stays a transient error). Only one array element is in memory at a time.
 */
import { Assembler } from 'stream-json/core/assembler.js';
import { jsonParser } from 'stream-json/core/parser.js';
import type { Token } from 'stream-json/core/parser.js';
import { none } from 'stream-chain/defs.js';
import { FileFormatError } from '../errors.js';
import { decodeUtf8 } from './text.js';
import type { ParsedItem } from './types.js';

export async function* parseJson(source: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedItem> {
  // Packed tokens only: one token per key, string and number instead of start/chunk/end triples.
  const tokenize = jsonParser({ packValues: true, streamValues: false });
  const reader = new RecordReader();
  for await (const text of decodeUtf8(source)) {
    yield* reader.consume(tokens(() => tokenize(text), reader));
  }
  // stream-chain's flush protocol: calling with `none` makes the tokenizer finish (or complain).
  yield* reader.consume(tokens(() => tokenize(none as unknown as string), reader));
  reader.finish();
}

function tokens(run: () => unknown, reader: RecordReader): Token[] {
  let out: unknown;
  try {
    out = run();
  } catch (err) {
    throw new FileFormatError(`malformed JSON ${reader.where()}: ${(err as Error).message}`);
  }
  // The tokenizer returns `none` or a stream-chain `Many` wrapper holding the tokens it completed.
  return out === none ? [] : (out as { values: Token[] }).values;
}

/** Turns the token stream into records, tracking whether the top level is an array or an object. */
class RecordReader {
  private top: 'array' | 'object' | 'closed' | undefined;
  private readonly asm = new Assembler();
  private count = 0;

  *consume(batch: Token[]): Generator<ParsedItem> {
    for (const token of batch) {
      switch (this.top) {
        case undefined:
          this.start(token);
          break;
        case 'object':
          this.asm.consume(token);
          if (this.asm.done) {
            this.top = 'closed';
            yield { kind: 'record', recordNumber: ++this.count, value: this.asm.current };
          }
          break;
        case 'array':
          // `done` between elements: the assembler is idle, so this token starts an element or ends the array.
          if (this.asm.done && token.name === 'endArray') {
            this.top = 'closed';
          } else {
            this.asm.consume(token);
            if (this.asm.done) yield { kind: 'record', recordNumber: ++this.count, value: this.asm.current };
          }
          break;
        case 'closed':
          // The tokenizer rejects trailing content itself; this is a guard, not a path we expect.
          throw new FileFormatError(`malformed JSON ${this.where()}: unexpected content after the top-level value`);
      }
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

  /** Where we are, for error messages: the tokenizer itself reports no position. */
  where(): string {
    if (this.top === undefined) return 'at the start of the file';
    return this.count === 0 ? 'in the first record' : `after record ${this.count}`;
  }
}
