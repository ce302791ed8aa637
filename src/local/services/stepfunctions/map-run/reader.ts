/**
 * The items of a distributed Map: from the state's input (ItemsPath), or streamed out of an S3
 * object (ItemReader s3:getObject with JSONL, CSV or JSON) or an S3 listing (s3:listObjectsV2).
 * JSON Lines and CSV are read lazily, a chunk at a time, so a run over a million lines holds only
 * what its consumer has asked for (iteration is pull-based: back-pressure comes free). A JSON
 * document is parsed whole (it is one value), within MAX_JSON_BYTES.
 *
 * AWS's reading rules: CSV values are strings; the header is the first row (FIRST_ROW) or given
 * (GIVEN: every row is data); a row whose field count differs from the header's, a malformed
 * line, or an object that cannot be read fails the Map with States.ItemReaderFailed.
 */
import { parse } from 'csv-parse';
import { AwsError } from '../../../errors.js';
import type { S3Api } from '../../contracts.js';
import type { Json } from '../definition.js';
import { TaskError } from '../tasks.js';
import { DELIMITERS, MAX_BATCH_BYTES } from './fields.js';

/** One line (an item) can be at most a child's input. */
const MAX_LINE = MAX_BATCH_BYTES;
/** A JSON (not JSON Lines) dataset is parsed whole: tap local's bound for it. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;
/** AWS: CSV headers of up to 10 KiB. */
const MAX_CSV_HEADER = 10 * 1024;

export interface ObjectSource {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export interface ReaderSpec {
  readonly resource: string;
  readonly config: Record<string, any>;
  source: ObjectSource;
  readonly maxItems?: number;
}

const failed = (why: string) => new TaskError('States.ItemReaderFailed', why);

/** Items, each with its index; `limit` stops early (ReaderConfig MaxItems; 0 = all, as AWS). */
export async function* readItems(s3: S3Api, spec: ReaderSpec): AsyncGenerator<Json> {
  const limit = spec.maxItems && spec.maxItems > 0 ? spec.maxItems : Infinity;
  let n = 0;
  for await (const item of source(s3, spec)) {
    if (n++ >= limit) return;
    yield item;
  }
}

function source(s3: S3Api, spec: ReaderSpec): AsyncIterable<Json> {
  const { bucket, key, versionId } = spec.source;
  if (spec.resource.endsWith('listObjectsV2')) return listing(s3, bucket, String(key ?? ''));
  let handle;
  try {
    handle = s3.openObject(bucket, key, versionId);
  } catch (error) {
    if (error instanceof AwsError) throw failed(`Could not read the item reader's object s3://${bucket}/${key}: ${error.code}: ${error.message}`);
    throw error;
  }
  const stream = handle.stream();
  switch (spec.config.InputType) {
    case 'JSONL':
      return jsonLines(stream);
    case 'CSV':
      return csv(stream, spec.config);
    default:
      return jsonArray(stream);
  }
}

async function* listing(s3: S3Api, bucket: string, prefix: string): AsyncGenerator<Json> {
  try {
    // AWS's item shape for a listing: `Etag` (so spelled), LastModified in epoch seconds.
    for (const o of s3.listObjects(bucket, prefix)) yield { Etag: o.ETag, Key: o.Key, LastModified: Date.parse(o.LastModified) / 1000, Size: o.Size, StorageClass: o.StorageClass };
  } catch (error) {
    if (error instanceof AwsError) throw failed(`Could not list s3://${bucket}/${prefix}: ${error.code}: ${error.message}`);
    throw error;
  }
}

/** Lines of a stream, split on `\n` (a `\r` before it dropped), each at most MAX_LINE bytes. */
async function* lines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<{ text: string; line: number }> {
  let rest = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of stream) {
    let buf = rest.length ? Buffer.concat([rest, Buffer.from(chunk)]) : Buffer.from(chunk);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      line++;
      if (nl - start > MAX_LINE) throw failed(`Line ${line} is larger than ${MAX_LINE} bytes.`);
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      yield { text: buf.toString('utf8', start, end), line };
      start = nl + 1;
    }
    rest = buf.subarray(start);
    if (rest.length > MAX_LINE) throw failed(`Line ${line + 1} is larger than ${MAX_LINE} bytes.`);
    buf = Buffer.alloc(0);
  }
  if (rest.length) yield { text: rest.toString('utf8').replace(/\r$/, ''), line: line + 1 };
}

async function* jsonLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Json> {
  for await (const { text, line } of lines(stream)) {
    if (text.trim() === '') continue;
    try {
      yield JSON.parse(text) as Json;
    } catch (error) {
      throw failed(`Line ${line} of the JSON Lines input is not valid JSON: ${(error as Error).message}`);
    }
  }
}

async function* csv(stream: NodeJS.ReadableStream, config: Record<string, any>): AsyncGenerator<Json> {
  const parser = (stream as NodeJS.ReadableStream & { pipe<T>(d: T): T }).pipe(
    parse({ delimiter: DELIMITERS[config.CSVDelimiter ?? 'COMMA'], bom: true, skip_empty_lines: true, relax_quotes: false, max_record_size: MAX_LINE }),
  );
  let headers: string[] | undefined = config.CSVHeaderLocation === 'GIVEN' ? config.CSVHeaders : undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (!headers) {
        if (Buffer.byteLength(record.join(',')) > MAX_CSV_HEADER) throw failed(`The CSV header row is larger than ${MAX_CSV_HEADER} bytes.`);
        headers = record;
        continue;
      }
      if (record.length !== headers.length) throw failed(`CSV row ${row} has ${record.length} fields; the header has ${headers.length}.`);
      const item: Record<string, string> = {};
      headers.forEach((h, i) => (item[h] = record[i]!));
      yield item;
    }
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw failed(`The CSV input could not be parsed: ${(error as Error).message}`);
  }
}

async function* jsonArray(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw failed(`tap local parses a JSON item source whole, up to ${MAX_JSON_BYTES} bytes; use JSONL for larger datasets.`);
    chunks.push(Buffer.from(chunk));
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw failed(`The JSON input is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw failed('The JSON input must be a JSON array.');
  yield* value as Json[];
}
