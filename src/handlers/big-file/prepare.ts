/**
 * Step 1 of a big file: the small path's pass 1, the same code (splitFile, failure), streaming: the
 * processed and rejected outputs are written as the file is read, so a million records take no more
 * memory than ten. Its result is either the file's final FAILED outcome (quarantined, as on the small
 * path) or its counts and the exact version of processed/<key>.ndjson for the map to read.
 *
 * Errors that are not the file's (S3 throttling, a crash) are thrown: the state machine retries
 * Prepare, and then fails the run, which Finish turns into a FAILED row and a message in the DLQ.
 */
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
    const pass1 = await splitFile(file, format, ports);
    const processed: ObjectRef = { bucket: file.bucket, key: pass1.processedKey };
    if (pass1.split.processed.versionId !== undefined) processed.versionId = pass1.split.processed.versionId;
    return { result: splitResult(pass1), format, writeRecords: pass1.split.accepted > 0, processed, source };
  } catch (err) {
    return { result: await failure(err, file, ports), ...(format !== undefined && { format }), writeRecords: false, source };
  }
}
