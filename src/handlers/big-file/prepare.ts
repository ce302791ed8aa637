/**
 * Step 1 of a big file: the small path's pass 1, the same code (splitFile, failure), streaming: the
 * processed and rejected outputs are written as the file is read, so a million records take no more
 * memory than ten. Its result is either the file's final FAILED outcome (quarantined, as on the small
 * path) or its counts and the exact version of processed/<key>.ndjson for the map to read.
 *
 * One difference from the small path: an accepted record too large for a map item (over
 * BIG_FILE_MAX_RECORD_BYTES as JSON) is rejected here, with the reason, rather than left to fail the
 * map run — and with it the whole file, on every redrive.
 *
 * Errors that are not the file's (S3 throttling, a crash) are thrown: the state machine retries
 * Prepare, and then fails the run, which Finish turns into a FAILED row and a message in the DLQ.
 */
import { BIG_FILE_MAX_RECORD_BYTES } from '../contract.js';
import type { EventSource } from '../events.js';
import { type Result, eventSource, failure, splitFile, splitResult } from '../process-file.js';
import { type Format, formatOf } from '../parse/index.js';
import type { ObjectRef, Ports } from '../ports.js';
import type { BigFileInput } from './route.js';

export interface Prepared {
  /** The outcome so far: FAILED is final; SUCCESS still needs its events written. */
  result: Result;
  format?: Format;
  /** Whether there are accepted records to write (the state machine's Choice). */
  writeRecords: boolean;
  /** The processed output's exact version: what the map's ItemReader reads. */
  processed?: ObjectRef;
  /** Where the events come from (their keys): the Batch function's BatchInput. */
  source: EventSource;
}

export async function prepare(input: BigFileInput, ports: Pick<Ports, 'objects'>, environment: string): Promise<Prepared> {
  const { file } = input;
  const source = eventSource(file, environment);
  let format: Format | undefined;
  try {
    format = formatOf(file.key);
    const pass1 = await splitFile(file, format, ports, { maxRecord: { bytes: BIG_FILE_MAX_RECORD_BYTES, reason: tooLargeForBigPath } });
    const processed: ObjectRef = { bucket: file.bucket, key: pass1.processedKey };
    if (pass1.split.processed.versionId !== undefined) processed.versionId = pass1.split.processed.versionId;
    return { result: splitResult(pass1), format, writeRecords: pass1.split.accepted > 0, processed, source };
  } catch (err) {
    return { result: await failure(err, file, ports), ...(format !== undefined && { format }), writeRecords: false, source };
  }
}

const n = (v: number) => v.toLocaleString('en-US');

/** The reject reason for a record the big-file path cannot carry: what the limit is and what to do. */
export function tooLargeForBigPath(bytes: number): string {
  return (
    `record is ${n(bytes)} bytes as JSON; a file above the big-file threshold is written through Step Functions, ` +
    `which carries records of at most ${n(BIG_FILE_MAX_RECORD_BYTES)} bytes (its 256 KiB item limit). ` +
    'Upload this record in a file below the threshold (those take the small path), or make it smaller'
  );
}
