/**
 * Streams a request body (plain or aws-chunked) to a temporary file while computing its MD5 and a
 * flexible checksum, then verifies what the client claimed: Content-MD5, `x-amz-checksum-*` as a header
 * or a trailer, and the declared length. Memory stays flat whatever the object's size: a body that
 * declares at most IN_MEMORY_BYTES (no more than a file stream buffers anyway) may be kept in memory
 * instead, so that committing it is one write of body and metadata together (object-store.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceRequest } from '../../request.js';
import {
  CHECKSUM_ALGORITHMS,
  DIGEST_BYTES,
  checksumHeader,
  checksumOf,
  isChecksumAlgorithm,
  newHasher,
  type ChecksumAlgorithm,
} from './checksums.js';
import { AwsChunkedDecoder, isAwsChunked } from './chunked.js';
import { badContentMd5, badDigest, entityTooLarge, incompleteBody, invalidDigest, invalidRequest } from './errors.js';
import { FILE_MODE } from '../../storage.js';

export const MAX_PUT_SIZE = 5 * 1024 ** 3;
/** The largest body kept in memory when the caller asks for it: a file stream's own buffer size. */
export const IN_MEMORY_BYTES = 64 * 1024;

/** Where the received bytes are: a temporary file (the caller renames it into place or removes it), or memory. */
export type ReceivedBody = { readonly path: string; readonly bytes?: undefined } | { readonly bytes: Buffer; readonly path?: undefined };

export type Ingested<Body extends ReceivedBody = ReceivedBody> = Body & {
  readonly size: number;
  /** Hex MD5: the ETag of a single-part object. */
  readonly md5: string;
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
};

export interface IngestOptions {
  /** Computed when the request names no checksum: CRC64NVME for objects (as S3 does), the upload's for parts. */
  readonly defaultAlgorithm?: ChecksumAlgorithm;
  /** A multipart upload's algorithm: a part carrying another one is rejected, as S3 does. */
  readonly requiredAlgorithm?: ChecksumAlgorithm;
  /** The most bytes taken (MAX_PUT_SIZE unless lower), counted as they stream: a chunked body has no length to check first. */
  readonly maxSize?: number;
  /** An existing empty file to write into (a spare, spares.ts) instead of a new one in tmpDir; asked only when the body goes to a file. */
  readonly into?: () => string | undefined;
  /** Keep a body that declares at most IN_MEMORY_BYTES in memory rather than in a file. */
  readonly inMemory?: boolean;
}

/** The checksum the request sends, in a header or announced as a trailer, and the algorithm to compute. */
export function requestedChecksum(req: ServiceRequest): { algorithm?: ChecksumAlgorithm; headerValue?: string; trailer?: string } {
  const present = CHECKSUM_ALGORITHMS.filter((a) => req.header(checksumHeader(a)) !== undefined);
  if (present.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const trailer = req.header('x-amz-trailer')?.trim().toLowerCase();
  const fromTrailer = CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === trailer);
  if (trailer && !fromTrailer) throw invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
  const declared = (req.header('x-amz-sdk-checksum-algorithm') ?? req.header('x-amz-checksum-algorithm'))?.toUpperCase();
  if (declared !== undefined && !isChecksumAlgorithm(declared)) {
    throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  }
  const algorithm = present[0] ?? fromTrailer ?? declared;
  const headerValue = present[0] && req.header(checksumHeader(present[0]));
  if (present[0] && headerValue !== undefined) assertChecksumValue(present[0], headerValue);
  return { ...(algorithm && { algorithm }), ...(headerValue !== undefined && { headerValue }), ...(fromTrailer && { trailer }) };
}

export function assertChecksumValue(algorithm: ChecksumAlgorithm, value: string): void {
  if (Buffer.from(value, 'base64').length !== DIGEST_BYTES[algorithm]) {
    throw invalidRequest(`Value for ${checksumHeader(algorithm)} header is invalid.`);
  }
}

/** The same checks for small bodies read whole (XML documents: DeleteObjects, configurations). */
export function verifyBufferedBody(req: ServiceRequest, body: Buffer): void {
  const contentMd5 = req.header('content-md5');
  if (contentMd5 !== undefined) {
    if (Buffer.from(contentMd5, 'base64').length !== 16) throw invalidDigest();
    if (createHash('md5').update(body).digest('base64') !== contentMd5) throw badContentMd5();
  }
  const { algorithm, headerValue } = requestedChecksum(req);
  if (algorithm && headerValue !== undefined && checksumOf(algorithm, body) !== headerValue) throw badDigest(algorithm);
}

export async function ingestBody(req: ServiceRequest, tmpDir: string, options: IngestOptions & { inMemory: true }): Promise<Ingested>;
export async function ingestBody(req: ServiceRequest, tmpDir: string, options?: IngestOptions & { inMemory?: false }): Promise<Ingested<{ path: string }>>;
export async function ingestBody(req: ServiceRequest, tmpDir: string, options: IngestOptions = {}): Promise<Ingested> {
  const wanted = requestedChecksum(req);
  if (options.requiredAlgorithm && wanted.algorithm && wanted.algorithm !== options.requiredAlgorithm) {
    throw invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${options.requiredAlgorithm.toLowerCase()}, actual checksum Type: ${wanted.algorithm.toLowerCase()}`,
    );
  }
  const algorithm = wanted.algorithm ?? options.requiredAlgorithm ?? options.defaultAlgorithm;
  const contentMd5 = req.header('content-md5');
  if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').length !== 16) throw invalidDigest();

  const chunked = isAwsChunked(req.header('content-encoding'), req.header('x-amz-content-sha256'));
  const declared = chunked ? req.header('x-amz-decoded-content-length') : req.header('content-length');
  const expected = declared === undefined ? undefined : Number(declared);
  const max = Math.min(options.maxSize ?? MAX_PUT_SIZE, MAX_PUT_SIZE);
  if (expected !== undefined && expected > max) throw entityTooLarge(expected, max);

  const inMemory = options.inMemory === true && expected !== undefined && expected <= IN_MEMORY_BYTES;
  const spare = inMemory ? undefined : options.into?.();
  const path = inMemory ? undefined : (spare ?? join(tmpDir, `${randomBytes(12).toString('hex')}.part`));
  const md5 = createHash('md5');
  const hasher = algorithm ? newHasher(algorithm) : undefined;
  let size = 0;
  const take = (chunk: Buffer): void => {
    md5.update(chunk);
    hasher?.update(chunk);
    size += chunk.length;
    if (size > max) throw entityTooLarge(size, max);
  };
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        take(chunk);
      } catch (error) {
        return callback(error as Error);
      }
      callback(null, chunk);
    },
  });
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  const stages: Transform[] = [...(decoder ? [decoder] : []), hashing];
  const chunks: Buffer[] = [];
  try {
    // A spare is opened, never created: its folder entry must be the one already on disk.
    if (path === undefined && !decoder) {
      // Small and plain: read whole (request.ts), without a stream pipeline's cost on every small PUT.
      const bytes = await req.body();
      take(bytes);
      chunks.push(bytes);
    } else {
      const sink = path === undefined ? collect(chunks, expected!) : createWriteStream(path, { mode: FILE_MODE, flags: spare ? 'r+' : 'w' });
      await pipeFrom(req.raw, stages, sink);
    }
    if (expected !== undefined && size !== expected) throw incompleteBody();
    const value = hasher?.digest().toString('base64');
    const md5Hex = md5.digest('hex');
    if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').toString('hex') !== md5Hex) throw badContentMd5();
    const claimed = wanted.headerValue ?? (wanted.trailer ? decoder?.trailers.get(wanted.trailer) : undefined);
    if (wanted.trailer && claimed === undefined) throw invalidRequest(`The trailing header ${wanted.trailer} was announced but not sent.`);
    if (claimed !== undefined && algorithm) {
      assertChecksumValue(algorithm, claimed);
      if (claimed !== value) throw badDigest(algorithm);
    }
    const received: ReceivedBody = path === undefined ? { bytes: Buffer.concat(chunks, size) } : { path };
    return { ...received, size, md5: md5Hex, ...(algorithm && value !== undefined && { checksum: { algorithm, value } }) };
  } catch (error) {
    if (path !== undefined) await rm(path, { force: true });
    // A client that hangs up mid-body is not an S3 error of its own: report it as the short body it is.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).message === 'aborted') {
      throw incompleteBody();
    }
    throw error;
  }
}

/** A sink that keeps what it is given; the hashing stage has already refused more than `max` bytes. */
function collect(chunks: Buffer[], max: number): Writable {
  let size = 0;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > max) return callback(incompleteBody());
      chunks.push(chunk);
      callback();
    },
  });
}

/**
 * Like pipeline(source, ...stages, sink), but an error downstream (a body over the cap, a bad chunk)
 * does not destroy the request: its socket must still carry S3's error answer.
 */
async function pipeFrom(source: Readable, stages: Transform[], sink: Writable): Promise<void> {
  const head = stages[0]!;
  const aborted = () => head.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  const closed = () => {
    if (!(source as { complete?: boolean }).complete) aborted();
  };
  source.on('error', aborted).on('close', closed);
  source.pipe(head);
  try {
    await pipeline([...stages, sink]);
  } finally {
    source.unpipe(head);
    source.off('error', aborted).off('close', closed);
  }
}
