/**
 * The in-memory index of one bucket's object versions (its persisted form is one file per version,
 * see version-file.ts). Keys are kept in S3's order: by UTF-8 bytes, which is code point order.
 */
import type { ChecksumAlgorithm, ChecksumType } from './checksums.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The representation headers S3 stores with an object and returns on GET/HEAD. */
export interface StoredHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
}

export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly value: string;
  readonly type: ChecksumType;
}

export interface ServerSideEncryption {
  readonly algorithm: string;
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
}

/** One version of a key: an object, or a delete marker. `versionId` is `null` outside versioning. */
export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  /** Creation order in the bucket; orders versions newest first. */
  readonly seq: number;
  readonly lastModified: string;
  readonly deleteMarker?: true;
  readonly size: number;
  /** Quoted, as the ETag header carries it. */
  readonly etag: string;
  /** The version's file under the bucket's versions/ folder (delete markers have one too). */
  readonly data?: string;
  readonly headers: StoredHeaders;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksum?: ObjectChecksum;
  /** Part sizes of a multipart object (GET ?partNumber=, x-amz-mp-parts-count). */
  readonly parts?: readonly number[];
  readonly tags?: readonly Tag[];
  readonly storageClass?: string;
  readonly sse?: ServerSideEncryption;
}

export const NULL_VERSION = 'null';

/** Code point order (= UTF-8 byte order), which differs from JS's UTF-16 order above U+D7FF. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return fixup(x) - fixup(y);
    return x - y;
  }
  return a.length - b.length;
}

// Surrogates (U+10000 and up) sort after U+E000–U+FFFF in code point order.
const fixup = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

export class BucketIndex {
  /** Versions per key, newest first. */
  private readonly versions = new Map<string, ObjectVersion[]>();
  private sorted: string[] | undefined;

  get size(): number {
    return this.versions.size;
  }

  versionsOf(key: string): readonly ObjectVersion[] {
    return this.versions.get(key) ?? [];
  }

  latest(key: string): ObjectVersion | undefined {
    return this.versions.get(key)?.[0];
  }

  find(key: string, versionId: string): ObjectVersion | undefined {
    return this.versions.get(key)?.find((v) => v.versionId === versionId);
  }

  /** Adds a version as the newest, or (on load) in its seq position. */
  insert(version: ObjectVersion): void {
    const list = this.versions.get(version.key);
    if (!list) {
      this.versions.set(version.key, [version]);
      this.sorted = undefined;
      return;
    }
    const at = list.findIndex((v) => v.seq < version.seq);
    list.splice(at < 0 ? list.length : at, 0, version);
  }

  /** Replaces a version in place (tags changed), keeping its position. */
  replace(version: ObjectVersion): void {
    const list = this.versions.get(version.key);
    const i = list?.findIndex((v) => v.versionId === version.versionId) ?? -1;
    if (list && i >= 0) list[i] = version;
  }

  remove(key: string, versionId: string): ObjectVersion | undefined {
    const list = this.versions.get(key);
    const i = list?.findIndex((v) => v.versionId === versionId) ?? -1;
    if (!list || i < 0) return undefined;
    const [removed] = list.splice(i, 1);
    if (list.length === 0) {
      this.versions.delete(key);
      this.sorted = undefined;
    }
    return removed;
  }

  /** Keys with at least one version (object or delete marker), in S3's order. */
  keys(): readonly string[] {
    this.sorted ??= [...this.versions.keys()].sort(compareKeys);
    return this.sorted;
  }

  /** Index of the first key that sorts after `marker` (or at/after it when `inclusive`). */
  seek(marker: string, inclusive = false): number {
    const keys = this.keys();
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(keys[mid]!, marker);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  *allVersions(): Iterable<ObjectVersion> {
    for (const list of this.versions.values()) yield* list;
  }
}
