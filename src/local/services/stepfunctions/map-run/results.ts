/**
 * A map run's results. With a ResultWriter: the progress log streamed into
 * `<Prefix>/<map run id>/SUCCEEDED_0.json`, `FAILED_0.json` and `PENDING_0.json` (JSON arrays of
 * child execution results, as AWS writes them; a file only for a status that has children) and a
 * `manifest.json` listing them; the Map's output is `{ MapRunArn, ResultWriterDetails }`. Without
 * one: the children's outputs in item order, which must fit in 256 KiB (States.DataLimitExceeded).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { AwsError } from '../../../errors.js';
import type { S3Api } from '../../contracts.js';
import { MAX_PAYLOAD, type Json } from '../definition.js';
import { TaskError } from '../tasks.js';
import type { ChildLine, MapRunStore } from './store.js';

/** The names AWS gives a map run's children: `…:execution:<machine>/<label>:<child name>`. */
export function childArns(mapRunArn: string, name: string): { executionArn: string; stateMachineArn: string } {
  const base = mapRunArn.slice(0, mapRunArn.lastIndexOf(':'));
  return { executionArn: `${base.replace(':mapRun:', ':execution:')}:${name}`, stateMachineArn: base.replace(':mapRun:', ':stateMachine:') };
}

const STATUS_FILES = { SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', TIMED_OUT: 'FAILED', ABORTED: 'PENDING' } as const;

function entry(mapRunArn: string, line: ChildLine): Record<string, Json> {
  const arns = childArns(mapRunArn, line.name);
  const ok = line.s === 'SUCCEEDED';
  return {
    ExecutionArn: arns.executionArn,
    Input: JSON.stringify(line.input ?? null),
    InputDetails: { Included: true },
    Name: line.name,
    ...(ok ? { Output: JSON.stringify(line.output ?? null), OutputDetails: { Included: true } } : { Error: line.error ?? null, Cause: line.cause ?? null }),
    RedriveCount: 0,
    RedriveStatus: ok ? 'NOT_REDRIVABLE' : 'REDRIVABLE_BY_MAP_RUN',
    ...(ok ? { RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' } : {}),
    StartDate: new Date(line.start).toISOString(),
    StateMachineArn: arns.stateMachineArn,
    Status: line.s,
    StopDate: new Date(line.stop).toISOString(),
  };
}

export interface Written {
  readonly output: Json;
  readonly executions: number;
  readonly items: number;
}

/** ResultWriter: the result files and the manifest, written into the local S3. */
export async function writeResults(s3: S3Api, store: MapRunStore, mapRunArn: string, bucket: string, prefix: string | undefined): Promise<Written> {
  const dir = await store.scratch();
  const runId = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
  const base = prefix ? `${prefix.replace(/\/+$/, '')}/${runId}` : runId;
  const files = new Map<string, { path: string; out: ReturnType<typeof createWriteStream>; count: number }>();
  let executions = 0;
  let items = 0;
  try {
    for await (const line of store.lines(mapRunArn)) {
      const kind = STATUS_FILES[line.s];
      let file = files.get(kind);
      if (!file) {
        const path = join(dir, `${randomBytes(12).toString('hex')}.json`);
        file = { path, out: createWriteStream(path), count: 0 };
        file.out.write('[');
        files.set(kind, file);
      }
      const text = (file.count++ ? ',' : '') + JSON.stringify(entry(mapRunArn, line));
      if (!file.out.write(text)) await new Promise<void>((r) => file!.out.once('drain', () => r()));
      executions++;
      items += line.n;
    }
    const manifest: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const [kind, file] of files) {
      file.out.end(']');
      await finished(file.out);
      const key = `${base}/${kind}_0.json`;
      const size = (await stat(file.path)).size;
      await put(s3, bucket, key, file.path);
      manifest[kind]!.push({ Key: key, Size: size });
    }
    const manifestPath = join(dir, `${randomBytes(12).toString('hex')}.json`);
    const out = createWriteStream(manifestPath);
    out.end(JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: manifest }));
    await finished(out);
    await put(s3, bucket, `${base}/manifest.json`, manifestPath);
    return { output: { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: `${base}/manifest.json` } }, executions, items };
  } finally {
    for (const file of files.values()) {
      file.out.destroy();
      await rm(file.path, { force: true });
    }
  }
}

async function put(s3: S3Api, bucket: string, key: string, path: string): Promise<void> {
  try {
    await s3.putObjectFile(bucket, key, path);
  } catch (error) {
    if (error instanceof AwsError) throw new TaskError('States.ResultWriterFailed', `Could not write s3://${bucket}/${key}: ${error.code}: ${error.message}`);
    throw error;
  }
}

/** No ResultWriter: the outputs (a failed child's `{ Error, Cause }`) in child order, within 256 KiB. */
export async function inlineResults(store: MapRunStore, mapRunArn: string, stateName: string): Promise<Written> {
  const results: Array<[number, Json]> = [];
  let bytes = 2;
  let items = 0;
  for await (const line of store.lines(mapRunArn)) {
    const value: Json = line.s === 'SUCCEEDED' ? (line.output ?? null) : { Error: line.error ?? null, Cause: line.cause ?? null };
    bytes += Buffer.byteLength(JSON.stringify(value)) + 1;
    if (bytes > MAX_PAYLOAD) throw new TaskError('States.DataLimitExceeded', `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit. Use a ResultWriter to write the results of a large Map Run to S3.`);
    results.push([line.i, value]);
    items += line.n;
  }
  results.sort((a, b) => a[0] - b[0]);
  return { output: results.map(([, v]) => v), executions: results.length, items };
}
