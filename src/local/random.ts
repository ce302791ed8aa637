/**
 * Random bytes for names and ids on hot paths (object version files, spares, request host ids).
 * Each crypto.randomBytes call costs a few microseconds of fixed overhead, and more under load; this
 * draws slices from a pool refilled POOL_BYTES at a time, as Node's own randomUUID does. The bytes are
 * as random as randomBytes' (the same CSPRNG); each is handed out once.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function pooledRandomBytes(length: number): Buffer {
  if (length > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} bytes at a time`);
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + length)); // a copy: the pool is reused
  offset += length;
  return out;
}
