/**
 * Object versions: committing a received body as a new version (per the bucket's versioning state),
 * deleting (delete markers in versioned buckets), resolving GET targets, tags. Every change holds the
 * key's lock from the file write to the index update, and is on disk before it is acknowledged. Each
 * version is one file, body then metadata (version-file.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, renameSync } from 'node:fs';
import { copyFile, readFile, readdir, rename, rm, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { damaged } from '../../data-dir.js';
import { pooledRandomBytes } from '../../random.js';
import { removeIfExists, syncDir } from '../../storage.js';
import { invalidArgument, methodNotAllowed, noSuchBucket, noSuchKey, noSuchVersion } from './errors.js';
import { NULL_VERSION, type ObjectVersion, type Tag } from './objects.js';
import type { Bucket, S3Store } from './store.js';
import { migrateLegacyLayout } from './legacy-layout.js';
import { SPARE_SUFFIX, SparePool } from './spares.js';
import { readVersionFile, sealVersionFile, writeVersionFile } from './version-file.js';
import type { ReceivedBody } from './ingest.js';

export type NewObject = Omit<ObjectVersion, 'key' | 'versionId' | 'seq' | 'lastModified' | 'data' | 'deleteMarker'> & {
  /**
   * The received body. A file gets the metadata appended and moves into the bucket's versions/ on
   * commit; bytes in memory are written with their metadata in one go, into a spare when one is ready.
   */
  readonly body: ReceivedBody;
};

export interface DeleteOutcome {
  /** The version removed, or the delete marker created; undefined when there was nothing to delete. */
  readonly version?: ObjectVersion;
  readonly markerCreated: boolean;
}

export class ObjectStore {
  private seq = 0;
  /** Per bucket object, so a bucket deleted and made again starts a pool of its own. */
  private readonly spares = new Map<Bucket, SparePool>();

  constructor(private readonly store: S3Store) {}

  async loadBucket(bucket: Bucket): Promise<void> {
    const dir = this.versionsDir(bucket.name);
    await migrateLegacyLayout(this.store.bucketDir(bucket.name), bucket.name);
    for (const file of await readdir(dir)) {
      const path = join(dir, file);
      if (file.endsWith('.tmp')) {
        await rm(path, { force: true }); // a conversion cut short (legacy-layout.ts)
        continue;
      }
      const version = await readVersionFile(path, file);
      if (version instanceof Error && file.endsWith(SPARE_SUFFIX)) {
        await rm(path, { force: true }); // unused, or a write into it that was never acknowledged
        continue;
      }
      if (version instanceof Error) {
        damaged(path, `an object version in bucket ${bucket.name} (the file holds its body and, if intact, its key)`, version);
        continue;
      }
      // Overwriting a null version removes the old file after the new one is durable: a crash between
      // leaves both, and the newer one is the object.
      const other = bucket.index.find(version.key, version.versionId);
      if (other && other.seq >= version.seq) {
        await rm(path, { force: true });
        continue;
      }
      if (other) {
        bucket.index.remove(other.key, other.versionId);
        await rm(join(dir, other.data!), { force: true });
      }
      bucket.index.insert(version);
      this.seq = Math.max(this.seq, version.seq);
    }
  }

  /** The version's file: its body is the first `version.size` bytes (version-file.ts). */
  dataPath(bucketName: string, version: ObjectVersion): string {
    return join(this.versionsDir(bucketName), version.data!);
  }

  private versionsDir(bucketName: string): string {
    return join(this.store.bucketDir(bucketName), 'versions');
  }

  /** Stops making spares (for one bucket, or all) before their folders are removed. */
  async closeSpares(bucket?: Bucket): Promise<void> {
    const pools = bucket ? [this.spares.get(bucket)] : [...this.spares.values()];
    if (bucket) this.spares.delete(bucket);
    else this.spares.clear();
    await Promise.all(pools.map((pool) => pool?.close()));
  }

  /** Where PutObject should stream a body: a spare file (spares.ts), or undefined for a temp file. */
  spareFor(bucketName: string): string | undefined {
    return this.spare(this.store.bucket(bucketName));
  }

  private spare(bucket: Bucket): string | undefined {
    let pool = this.spares.get(bucket);
    if (!pool) this.spares.set(bucket, (pool = new SparePool(this.versionsDir(bucket.name))));
    return pool.take();
  }

  /** The version a GET/HEAD addresses, or S3's error for it (delete markers included). */
  resolve(bucketName: string, key: string, versionId?: string): ObjectVersion {
    const bucket = this.store.bucket(bucketName);
    if (versionId === undefined) {
      const latest = bucket.index.latest(key);
      if (!latest) throw noSuchKey(key);
      if (latest.deleteMarker) {
        throw noSuchKey(key, { 'x-amz-delete-marker': 'true', ...(bucket.versioning && { 'x-amz-version-id': latest.versionId }) });
      }
      return latest;
    }
    assertVersionId(versionId);
    const version = bucket.index.find(key, versionId);
    if (!version) throw noSuchVersion(key, versionId);
    if (version.deleteMarker) {
      throw methodNotAllowed({
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': version.versionId,
        'last-modified': new Date(version.lastModified).toUTCString(),
      });
    }
    return version;
  }

  /**
   * Makes a received body the key's newest version. `check` runs under the key's lock with the current
   * version (conditional writes: If-Match / If-None-Match).
   */
  async commit(bucketName: string, key: string, input: NewObject, check?: (current?: ObjectVersion) => void): Promise<ObjectVersion> {
    try {
      return await this.store.locks.run(`key:${bucketName}\0${key}`, async () => {
        const bucket = this.store.bucket(bucketName);
        const current = bucket.index.latest(key);
        check?.(current?.deleteMarker ? undefined : current);
        const { body, ...fields } = input;
        const version: ObjectVersion = { ...fields, key, data: newFileName(), ...this.stamp(bucket) };
        await this.write(bucket, version, body);
        return version;
      });
    } catch (error) {
      if (input.body.path !== undefined) await rm(input.body.path, { force: true });
      throw error;
    }
  }

  /** DeleteObject: a version by id, or (no id) the object / a new delete marker per versioning. */
  async delete(bucketName: string, key: string, versionId?: string): Promise<DeleteOutcome> {
    if (versionId !== undefined) assertVersionId(versionId);
    return this.store.locks.run(`key:${bucketName}\0${key}`, async () => {
      const bucket = this.store.bucket(bucketName);
      if (versionId !== undefined || !bucket.versioning) {
        const id = versionId ?? NULL_VERSION;
        const version = bucket.index.find(key, id);
        // Deleting what is not there succeeds (204), as S3.
        if (!version) return { markerCreated: false };
        await removeIfExists(this.dataPath(bucket.name, version));
        bucket.index.remove(key, id);
        return { version, markerCreated: false };
      }
      const marker: ObjectVersion = { key, deleteMarker: true, size: 0, etag: '', data: newFileName(), headers: {}, metadata: {}, ...this.stamp(bucket) };
      await this.write(bucket, marker);
      return { version: marker, markerCreated: true };
    });
  }

  async setTags(bucketName: string, key: string, versionId: string | undefined, tags: readonly Tag[]): Promise<ObjectVersion> {
    return this.store.locks.run(`key:${bucketName}\0${key}`, async () => {
      const version = this.resolve(bucketName, key, versionId);
      const updated: ObjectVersion = { ...version, tags };
      await this.rewrite(bucketName, updated);
      this.store.bucket(bucketName).index.replace(updated);
      return updated;
    });
  }

  /** A copy of a version's bytes as a temp file, ready for commit (CopyObject, UploadPartCopy). */
  async copyToTemp(bucketName: string, version: ObjectVersion): Promise<string> {
    const tmp = join(this.store.tmpDir, `${randomBytes(12).toString('hex')}.copy`);
    await copyFile(this.dataPath(bucketName, version), tmp);
    await truncate(tmp, version.size); // the body without the metadata after it
    return tmp;
  }

  async readBytes(bucketName: string, key: string, versionId?: string): Promise<Buffer> {
    const version = this.resolve(bucketName, key, versionId);
    return (await readFile(this.dataPath(bucketName, version))).subarray(0, version.size);
  }

  /** PutObject for in-process callers (the CloudFormation engine, tests). */
  async putBytes(bucketName: string, key: string, body: Uint8Array, headers: ObjectVersion['headers'] = {}): Promise<ObjectVersion> {
    this.store.bucket(bucketName);
    const md5 = createHash('md5').update(body).digest('hex');
    return this.commit(bucketName, key, { body: { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }, size: body.length, etag: `"${md5}"`, headers, metadata: {} });
  }

  /** PutObject of a finished file from another service (Step Functions' ResultWriter): hashed as it is read, then moved in. */
  async putFile(bucketName: string, key: string, path: string): Promise<{ etag: string; size: number }> {
    this.store.bucket(bucketName);
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of createReadStream(path)) {
      md5.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const tmpPath = join(this.store.tmpDir, `${randomBytes(12).toString('hex')}.put`);
    await rename(path, tmpPath);
    const etag = `"${md5.digest('hex')}"`;
    await this.commit(bucketName, key, { body: { path: tmpPath }, size, etag, headers: { contentType: 'application/json' }, metadata: {} });
    return { etag, size };
  }

  /** Versioning decides the id: a new one when Enabled, else `null` (which replaces the previous `null`). */
  private stamp(bucket: Bucket): { versionId: string; seq: number; lastModified: string } {
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION;
    return { versionId, seq: ++this.seq, lastModified: new Date().toISOString() };
  }

  /**
   * Durably. A body in a file gets the metadata appended: streamed into a spare (spares.ts), whose
   * folder entry is on disk already, it needs one fsync, of the file, and the rename to its own name is
   * left to the next folder sync (until then a crash keeps it under the spare's name, which loads the
   * same); any other file is synced, renamed into versions/, and the folder synced (a group commit
   * shared with concurrent requests, storage.ts). A body in memory (a delete marker's is empty) is
   * written with its metadata in one write, into a spare the same way, or else into a new file.
   */
  private async write(bucket: Bucket, version: ObjectVersion, body: ReceivedBody = { bytes: EMPTY }): Promise<void> {
    const dir = this.versionsDir(bucket.name);
    const path = join(dir, version.data!);
    try {
      if (body.path !== undefined) {
        await sealVersionFile(body.path, version);
        await rename(body.path, path);
        if (!body.path.endsWith(SPARE_SUFFIX)) await syncDir(dir);
      } else {
        await this.writeWhole(bucket, path, body.bytes, version);
      }
    } catch (error) {
      bucketGone(bucket.name)(error as NodeJS.ErrnoException);
    }
    const replaced = bucket.index.remove(version.key, version.versionId);
    bucket.index.insert(version);
    // Not synced: should a crash bring it back, the load keeps the newer of the two (higher seq).
    if (replaced) await rm(this.dataPath(bucket.name, replaced), { force: true });
  }

  private async writeWhole(bucket: Bucket, path: string, bytes: Buffer, version: ObjectVersion): Promise<void> {
    const spare = this.spare(bucket);
    if (spare === undefined) {
      await writeVersionFile(path, bytes, version, { create: true });
      await syncDir(dirname(path));
      return;
    }
    try {
      await writeVersionFile(spare, bytes, version, { create: false });
      renameSync(spare, path); // a folder entry in memory, not synced: as writeVersionFile's open, cheaper than a trip to the thread pool
    } catch (error) {
      await rm(spare, { force: true }); // never acknowledged; a crash before this is tidied at the next load
      throw error;
    }
  }

  /**
   * New metadata for a version in place (tags): a copy of the file with the new trailer replaces it,
   * synced before the rename, because the file it replaces holds an acknowledged object.
   */
  private async rewrite(bucketName: string, version: ObjectVersion): Promise<void> {
    const tmp = await this.copyToTemp(bucketName, version);
    try {
      await sealVersionFile(tmp, version);
      await rename(tmp, this.dataPath(bucketName, version));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    await syncDir(this.versionsDir(bucketName));
  }
}

const EMPTY = Buffer.alloc(0);

/** A version file's name: random, so a write never replaces another version's file. */
function newFileName(): string {
  return pooledRandomBytes(16).toString('hex');
}

/** A write that lands after its bucket was deleted finds no folder: that is NoSuchBucket, not a crash. */
function bucketGone(bucket: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw error.code === 'ENOENT' ? noSuchBucket(bucket) : error;
  };
}

/** 32 URL-safe characters, like S3's version ids. */
function newVersionId(): string {
  return pooledRandomBytes(24).toString('base64url').replace(/-/g, '.');
}

function assertVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION && !/^[A-Za-z0-9._]{32}$/.test(versionId)) {
    throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
}
