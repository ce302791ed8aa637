/**
 * S3's flexible checksums: CRC32, CRC32C, CRC64NVME, SHA1, SHA256, as base64 of the big-endian digest.
 * CRC32 is zlib's (native); CRC32C and CRC64NVME are table-driven here (slice-by-8), because Node has
 * neither and the SDK's own implementations are internal packages we should not import.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

export function isChecksumAlgorithm(value: string | undefined): value is ChecksumAlgorithm {
  return CHECKSUM_ALGORITHMS.includes(value as ChecksumAlgorithm);
}

/** `x-amz-checksum-crc32` ↔ `CRC32`. */
export const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** Digest lengths in bytes, to reject a checksum header that cannot be one (AWS: InvalidRequest). */
export const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function newHasher(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case 'CRC32':
      return crc32Hasher();
    case 'CRC32C':
      return new Crc32Table(CRC32C_TABLES);
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
    case 'SHA256':
      return hashHasher(createHash(algorithm.toLowerCase()));
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const hasher = newHasher(algorithm);
  hasher.update(data);
  return hasher.digest().toString('base64');
}

/**
 * A multipart upload's COMPOSITE checksum: the checksum of the parts' concatenated binary checksums,
 * then `-<part count>` (the same scheme as the multipart ETag).
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly string[]): string {
  const joined = Buffer.concat(partChecksums.map((c) => Buffer.from(c, 'base64')));
  return `${checksumOf(algorithm, joined)}-${partChecksums.length}`;
}

function hashHasher(hash: Hash): Hasher {
  return { update: (data) => void hash.update(data), digest: () => hash.digest() };
}

function crc32Hasher(): Hasher {
  // zlib.crc32 exists from Node 20.15; older 20.x fall back to the table.
  if (typeof zlibCrc32 !== 'function') return new Crc32Table(CRC32_TABLES);
  let crc = 0;
  return {
    update: (data) => void (crc = zlibCrc32(data, crc)),
    digest: () => uint32(crc),
  };
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** Eight 256-entry tables for a reflected 32-bit CRC, so the loop can take 8 bytes per step. */
function crc32Tables(poly: number): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    tables[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 8; t++) tables[t]![i] = (tables[t - 1]![i]! >>> 8) ^ tables[0]![tables[t - 1]![i]! & 0xff]!;
  }
  return tables;
}

type Tables8 = [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];

const CRC32_TABLES = crc32Tables(0xedb88320);
const CRC32C_TABLES = crc32Tables(0x82f63b78);

class Crc32Table implements Hasher {
  private crc = 0xffffffff;
  constructor(private readonly t: Uint32Array[]) {}

  update(data: Uint8Array): void {
    const [t0, t1, t2, t3, t4, t5, t6, t7] = this.t as Tables8;
    let crc = this.crc;
    let i = 0;
    const n = data.length;
    for (; i + 8 <= n; i += 8) {
      const a = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
      crc =
        t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
        t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
    }
    for (; i < n; i++) crc = (crc >>> 8) ^ t0[(crc ^ data[i]!) & 0xff]!;
    this.crc = crc;
  }

  digest(): Buffer {
    return uint32(~this.crc);
  }
}

/**
 * CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones). The 64-bit state is
 * kept as two uint32 halves: BigInt per byte would be two orders of magnitude slower.
 */
const CRC64_TABLES = (() => {
  const poly = 0x9a6c9329ac4bc9b5n;
  const base: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? poly ^ (c >> 1n) : c >> 1n;
    base.push(c);
  }
  const hi = Array.from({ length: 8 }, () => new Uint32Array(256));
  const lo = Array.from({ length: 8 }, () => new Uint32Array(256));
  const full: bigint[][] = [base];
  for (let t = 1; t < 8; t++) full.push(full[t - 1]!.map((v) => (v >> 8n) ^ base[Number(v & 0xffn)]!));
  for (let t = 0; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      hi[t]![i] = Number(full[t]![i]! >> 32n);
      lo[t]![i] = Number(full[t]![i]! & 0xffffffffn);
    }
  }
  return { hi, lo };
})();

class Crc64Nvme implements Hasher {
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): void {
    const [h0, h1, h2, h3, h4, h5, h6, h7] = CRC64_TABLES.hi as Tables8;
    const [l0, l1, l2, l3, l4, l5, l6, l7] = CRC64_TABLES.lo as Tables8;
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    const n = data.length;
    for (; i + 8 <= n; i += 8) {
      // XOR 8 input bytes into the state (low half first); each byte then indexes the table for its distance.
      const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      const b = hi ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
      const i0 = a & 0xff, i1 = (a >>> 8) & 0xff, i2 = (a >>> 16) & 0xff, i3 = a >>> 24;
      const i4 = b & 0xff, i5 = (b >>> 8) & 0xff, i6 = (b >>> 16) & 0xff, i7 = b >>> 24;
      hi = h7[i0]! ^ h6[i1]! ^ h5[i2]! ^ h4[i3]! ^ h3[i4]! ^ h2[i5]! ^ h1[i6]! ^ h0[i7]!;
      lo = l7[i0]! ^ l6[i1]! ^ l5[i2]! ^ l4[i3]! ^ l3[i4]! ^ l2[i5]! ^ l1[i6]! ^ l0[i7]!;
    }
    for (; i < n; i++) {
      const idx = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ l0[idx]!;
      hi = (hi >>> 8) ^ h0[idx]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
