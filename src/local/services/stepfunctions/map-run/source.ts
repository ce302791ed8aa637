/**
 * Where a map run's items come from: the ItemReader's resolved parameters, the object version
 * pinned when the run starts (so a run resumed after a restart reads the same items), the items of
 * ItemsPath, and the set of children already done.
 */
import type { S3Api } from '../../contracts.js';
import type { Json } from '../definition.js';
import { TaskError } from '../tasks.js';
import { MAX_ITEMS, numberField } from './fields.js';
import type { ReaderSpec } from './reader.js';
import type { MapRunRecord } from './store.js';
import { query, Template, type Context } from './template.js';

export async function readerSpec(reader: Record<string, any>, input: Json, context: Context): Promise<ReaderSpec> {
  const params = (await new Template(reader.Parameters ?? {}).apply(input, context)) as Record<string, any>;
  const config = reader.ReaderConfig ?? {};
  const maxItems = numberField(config, 'MaxItems', input, query, { min: 0, max: MAX_ITEMS, integer: true });
  const key = reader.Resource.endsWith('listObjectsV2') ? (params.Prefix ?? '') : params.Key;
  return { resource: reader.Resource, config, source: { bucket: String(params.Bucket), key: String(key), ...(params.VersionId ? { versionId: String(params.VersionId) } : {}) }, ...(maxItems !== undefined ? { maxItems } : {}) };
}

/** The object version a run reads, fixed when it starts: a resumed run reads the same items. */
export function pin(s3: S3Api, spec: ReaderSpec, r: MapRunRecord): ReaderSpec['source'] {
  if (spec.resource.endsWith('listObjectsV2')) return spec.source;
  const { bucket, key } = spec.source;
  if (r.source) {
    if (r.source.versionId !== 'null') return { bucket, key, versionId: r.source.versionId };
    try {
      if (s3.openObject(bucket, key).etag === r.source.etag) return spec.source;
    } catch {
      // gone: reported below
    }
    throw new TaskError('States.ItemReaderFailed', `The object s3://${bucket}/${key} changed while the map run was interrupted; its items are no longer the ones the run started with.`);
  }
  try {
    const handle = s3.openObject(bucket, key, spec.source.versionId);
    r.source = { bucket, key, versionId: handle.versionId, etag: handle.etag };
  } catch {
    // readItems reports a missing object as States.ItemReaderFailed
  }
  return spec.source;
}

export async function* arrayItems(value: unknown): AsyncGenerator<Json> {
  if (!Array.isArray(value)) throw new TaskError('States.Runtime', `The Map state's ItemsPath must select a JSON array, not ${value === null ? 'null' : typeof value}.`);
  yield* value as Json[];
}

/** Which children are done: a bit each (a million children take 125 KB). */
export class Bitset {
  private bits = new Uint8Array(1024);
  set(i: number): void {
    if (i >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (i >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[i >> 3]! |= 1 << (i & 7);
  }
  has(i: number): boolean {
    return i >> 3 < this.bits.length && (this.bits[i >> 3]! & (1 << (i & 7))) !== 0;
  }
}
