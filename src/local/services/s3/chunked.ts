/**
 * Decodes `Content-Encoding: aws-chunked` request bodies as a stream: the SDK v3 default for streaming
 * PutObject/UploadPart (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) and the signed variants
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`). Framing:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n…]\r\n
 *
 * Chunk signatures are not checked (the local AWS accepts any credentials); trailers are collected so
 * the caller can verify `x-amz-checksum-*`.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../../errors.js';

const MAX_LINE = 8 * 1024;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  /** Lower-cased trailer names to values, complete once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  private crlfSeen = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // A body that stops right after the zero chunk's trailers (without the closing blank line) is complete.
    if (this.state !== 'done' && !(this.state === 'trailer' && this.line === '')) {
      return callback(invalidChunk('The request body ended before its last chunk.'));
    }
    callback();
  }

  private consume(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, chunk.length - i);
          this.push(chunk.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-end';
          break;
        }
        case 'data-end': {
          // The CRLF after a chunk's bytes (it may arrive split across reads).
          const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (chunk[i] !== expected) throw invalidChunk('A chunk was not followed by CRLF.');
          i++;
          if (++this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.state = 'size';
          }
          break;
        }
        case 'size':
        case 'trailer': {
          const nl = chunk.indexOf(0x0a, i);
          const end = nl < 0 ? chunk.length : nl;
          this.line += chunk.toString('latin1', i, end);
          if (this.line.length > MAX_LINE) throw invalidChunk('A chunk header is too long.');
          i = end;
          if (nl < 0) break;
          i++; // past \n
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          if (this.state === 'size') this.onSizeLine(line);
          else this.onTrailerLine(line);
          break;
        }
        case 'done':
          // Anything after the final CRLF is not part of the object; AWS ignores it too.
          return;
      }
    }
  }

  private onSizeLine(line: string): void {
    const hex = line.split(';', 1)[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(hex)) throw invalidChunk(`Invalid chunk size "${hex.slice(0, 20)}".`);
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.state = 'data';
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw invalidChunk('A trailing header has no value.');
    this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
}

function invalidChunk(detail: string): AwsError {
  return new AwsError('IncompleteBody', `The aws-chunked request body is malformed: ${detail}`, 400);
}

/** Whether a request's body is aws-chunked framed (by its encoding or its payload hash marker). */
export function isAwsChunked(contentEncoding: string | undefined, contentSha256: string | undefined): boolean {
  return (
    (contentEncoding ?? '').split(',').some((e) => e.trim() === 'aws-chunked') ||
    (contentSha256 ?? '').startsWith('STREAMING-')
  );
}

/** The Content-Encoding to store: the request's, without the transport-only `aws-chunked`. */
export function storedContentEncoding(contentEncoding: string | undefined): string | undefined {
  const kept = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked');
  return kept.length ? kept.join(', ') : undefined;
}
