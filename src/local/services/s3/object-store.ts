/**
 * Object versions: committing a received body as a new version (per the bucket's versioning state),
 * deleting (delete markers in versioned buckets), resolving GET targets, tags. Every change holds the
 * key's lock from the metadata write to the index update, and is on disk before it is acknowledged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { damaged } from '../../data-dir.js';
import { fsName } from '../../names.js';
import { FILE_MODE, readJsonIfExists, removeIfExists, syncDir, syncFile, writeFileAtomic, writeFileAtomicIn } from '../../storage.js';
import { invalidArgument, methodNotAllowed, noSuchBucket, noSuchKey, noSuchVersion } from './errors.js';
import { NULL_VERSION, type ObjectVersion, type Tag } from './objects.js';
import type { Bucket, S3Store } from './store.js';

export type NewObject = Omit<ObjectVersion, 'key' | 'versionId' | 'seq' | 'lastModified' | 'data' | 'deleteMarker'> & {
  /** The received body; moved into the bucket's data folder on commit. */
  readonly tmpPath: string;
};

export interface DeleteOutcome {
  /** The version removed, or the delete marker created; undefined when there was nothing to delete. */
  readonly version?: ObjectVersion;
  readonly markerCreated: boolean;
}

export class ObjectStore {
  private seq = 0;

  constructor(private readonly store: S3Store) {}

  async loadBucket(bucket: Bucket): Promise<void> {
    const metaDir = join(this.store.bucketDir(bucket.name), 'meta');
    const referenced = new Set<string>();
    let damagedMeta = 0;
    for (const file of await readdir(metaDir).catch(() => [] as string[])) {
      if (!file.endsWith('.json')) {
        await rm(join(metaDir, file), { force: true }); // a torn temp file
        continue;
      }
      const lost = `an object version in bucket ${bucket.name} (its key is in the damaged file; its body is kept in damaged/ too)`;
      const version = await readJsonIfExists<ObjectVersion>(join(metaDir, file), { lost });
      if (!version) {
        damagedMeta++;
        continue;
      }
      bucket.index.insert(version);
      if (version.data) referenced.add(version.data);
      this.seq = Math.max(this.seq, version.seq);
    }
    // Bodies whose metadata never landed (a crash between the two writes) are not objects: drop them.
    const dataDir = join(this.store.bucketDir(bucket.name), 'data');
    // With damaged metadata, an unreferenced body may be that object's: kept aside rather than deleted.
    for (const file of await readdir(dataDir).catch(() => [] as string[])) {
      if (referenced.has(file)) continue;
      if (damagedMeta > 0) damaged(join(dataDir, file), 'the object version this body belonged to (see the damaged metadata file)', new Error('no metadata refers to this body'));
      else await rm(join(dataDir, file), { force: true });
    }
  }

  dataPath(bucketName: string, version: ObjectVersion): string {
    return join(this.store.bucketDir(bucketName), 'data', version.data!);
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
        const { tmpPath, ...fields } = input;
        const data = randomBytes(16).toString('hex');
        const version: ObjectVersion = { ...fields, key, data, ...this.stamp(bucket) };
        await this.write(bucket, version, tmpPath);
        return version;
      });
    } catch (error) {
      await rm(input.tmpPath, { force: true });
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
        await removeIfExists(this.metaPath(bucket.name, key, id));
        bucket.index.remove(key, id);
        if (version.data) await rm(this.dataPath(bucket.name, version), { force: true });
        return { version, markerCreated: false };
      }
      const marker: ObjectVersion = { key, deleteMarker: true, size: 0, etag: '', headers: {}, metadata: {}, ...this.stamp(bucket) };
      await this.write(bucket, marker);
      return { version: marker, markerCreated: true };
    });
  }

  async setTags(bucketName: string, key: string, versionId: string | undefined, tags: readonly Tag[]): Promise<ObjectVersion> {
    return this.store.locks.run(`key:${bucketName}\0${key}`, async () => {
      const version = this.resolve(bucketName, key, versionId);
      const updated: ObjectVersion = { ...version, tags };
      await writeMeta(this.metaPath(bucketName, key, version.versionId), updated);
      this.store.bucket(bucketName).index.replace(updated);
      return updated;
    });
  }

  /** A copy of a version's bytes as a temp file, ready for commit (CopyObject, UploadPartCopy). */
  async copyToTemp(bucketName: string, version: ObjectVersion): Promise<string> {
    const tmp = join(this.store.tmpDir, `${randomBytes(12).toString('hex')}.copy`);
    await copyFile(this.dataPath(bucketName, version), tmp);
    return tmp;
  }

  async readBytes(bucketName: string, key: string, versionId?: string): Promise<Buffer> {
    return readFile(this.dataPath(bucketName, this.resolve(bucketName, key, versionId)));
  }

  /** PutObject for in-process callers (the CloudFormation engine, tests). */
  async putBytes(bucketName: string, key: string, body: Uint8Array, headers: ObjectVersion['headers'] = {}): Promise<ObjectVersion> {
    this.store.bucket(bucketName);
    const tmpPath = join(this.store.tmpDir, `${randomBytes(12).toString('hex')}.put`);
    await writeFileAtomic(tmpPath, body);
    const md5 = createHash('md5').update(body).digest('hex');
    return this.commit(bucketName, key, { tmpPath, size: body.length, etag: `"${md5}"`, headers, metadata: {} });
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
    await this.commit(bucketName, key, { tmpPath, size, etag, headers: { contentType: 'application/json' }, metadata: {} });
    return { etag, size };
  }

  /** Versioning decides the id: a new one when Enabled, else `null` (which replaces the previous `null`). */
  private stamp(bucket: Bucket): { versionId: string; seq: number; lastModified: string } {
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION;
    return { versionId, seq: ++this.seq, lastModified: new Date().toISOString() };
  }

  /**
   * Durably, in two waits rather than four: the body's fsync and the metadata's write + fsync run
   * together; then both renames (the body first, so metadata never lands before its body), then the two
   * folders' syncs together (group commits shared with concurrent requests, storage.ts).
   */
  private async write(bucket: Bucket, version: ObjectVersion, body?: string): Promise<void> {
    const dir = this.store.bucketDir(bucket.name);
    const metaPath = this.metaPath(bucket.name, version.key, version.versionId);
    const metaTmp = `${metaPath}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await Promise.all([
        body ? syncFile(body) : undefined,
        writeFile(metaTmp, JSON.stringify(version), { mode: FILE_MODE, flush: true }),
      ]);
      if (body) await rename(body, join(dir, 'data', version.data!));
      await rename(metaTmp, metaPath);
      await Promise.all([body ? syncDir(join(dir, 'data')) : undefined, syncDir(join(dir, 'meta'))]);
    } catch (error) {
      await rm(metaTmp, { force: true });
      bucketGone(bucket.name)(error as NodeJS.ErrnoException);
    }
    const replaced = bucket.index.remove(version.key, version.versionId);
    bucket.index.insert(version);
    if (replaced?.data) await rm(this.dataPath(bucket.name, replaced), { force: true });
  }

  private metaPath(bucketName: string, key: string, versionId: string): string {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 40);
    return join(this.store.bucketDir(bucketName), 'meta', `${hash}.${fsName(versionId)}.json`);
  }
}

/**
 * storage.ts's durable atomic write without its mkdir: the bucket's folders exist while the bucket
 * does, and skipping the syscall is a good part of a small PutObject's cost.
 */
function writeMeta(path: string, version: ObjectVersion): Promise<void> {
  return writeFileAtomicIn(path, JSON.stringify(version));
}

/** A write that lands after its bucket was deleted finds no folder: that is NoSuchBucket, not a crash. */
function bucketGone(bucket: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw error.code === 'ENOENT' ? noSuchBucket(bucket) : error;
  };
}

/** 32 URL-safe characters, like S3's version ids. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url').replace(/-/g, '.');
}

function assertVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION && !/^[A-Za-z0-9._]{32}$/.test(versionId)) {
    throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
}
