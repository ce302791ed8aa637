/**
 * Multipart uploads: parts are kept as files under `buckets/<bucket>/uploads/<upload id>/` until
 * CompleteMultipartUpload concatenates them (streamed) into the object, with S3's validations and its
 * multipart ETag (`"<md5 of the parts' binary MD5s>-<count>"`) and checksums (COMPOSITE or FULL_OBJECT).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsName } from '../../names.js';
import { FILE_MODE, readJsonIfExists, removeIfExists, syncFile, writeJsonAtomic } from '../../storage.js';
import { compositeChecksum, newHasher, type ChecksumAlgorithm, type ChecksumType } from './checksums.js';
import {
  badDigest,
  entityTooSmall,
  invalidArgument,
  invalidPart,
  invalidPartOrder,
  invalidRequest,
  malformedXml,
  noSuchUpload,
} from './errors.js';
import type { Ingested } from './ingest.js';
import type { NewObject } from './object-store.js';
import type { ObjectVersion } from './objects.js';
import type { S3Store } from './store.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: string;
  readonly object: Omit<NewObject, 'body' | 'size' | 'etag' | 'checksum' | 'parts'>;
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly type: ChecksumType };
}

export interface PartRecord {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: string;
  readonly md5: string;
  readonly checksum?: string;
  readonly data: string;
}

interface Upload {
  readonly record: UploadRecord;
  readonly parts: Map<number, PartRecord>;
}

/** A part as CompleteMultipartUpload lists it. */
export interface RequestedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksum?: string;
}

export class MultipartStore {
  private readonly uploads = new Map<string, Upload>();

  constructor(private readonly store: S3Store) {}

  private dir(bucket: string, uploadId: string): string {
    return join(this.store.bucketDir(bucket), 'uploads', fsName(uploadId));
  }

  async loadBucket(bucket: string): Promise<void> {
    const root = join(this.store.bucketDir(bucket), 'uploads');
    for (const entry of await readdir(root).catch(() => [] as string[])) {
      const lost = `multipart upload ${entry} to bucket ${bucket} with its parts`;
      const record = await readJsonIfExists<UploadRecord>(join(root, entry, 'upload.json'), { lost, moveAside: join(root, entry) });
      // No upload.json: an upload aborted or completed while a part was landing. Finish removing it.
      if (!record) {
        await removeIfExists(join(root, entry));
        continue;
      }
      const parts = new Map<number, PartRecord>();
      for (const file of await readdir(join(root, entry))) {
        if (!/^part-\d+\.json$/.test(file)) continue;
        const part = await readJsonIfExists<PartRecord>(join(root, entry, file), { lost: `part ${file} of multipart upload ${record.uploadId}` });
        if (part) parts.set(part.partNumber, part);
      }
      this.uploads.set(record.uploadId, { record, parts });
    }
  }

  clear(): void {
    this.uploads.clear();
  }

  forgetBucket(bucket: string): void {
    for (const [id, upload] of this.uploads) if (upload.record.bucket === bucket) this.uploads.delete(id);
  }

  async create(bucket: string, key: string, input: Omit<UploadRecord, 'uploadId' | 'bucket' | 'key' | 'initiated'>): Promise<UploadRecord> {
    this.store.bucket(bucket);
    const { checksum } = input;
    if (checksum?.type === 'FULL_OBJECT' && (checksum.algorithm === 'SHA1' || checksum.algorithm === 'SHA256')) {
      throw invalidRequest(`The FULL_OBJECT checksum type cannot be used with the ${checksum.algorithm.toLowerCase()} checksum algorithm.`);
    }
    if (checksum?.type === 'COMPOSITE' && checksum.algorithm === 'CRC64NVME') {
      throw invalidRequest('The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
    }
    const record: UploadRecord = { ...input, uploadId: randomBytes(48).toString('base64url'), bucket, key, initiated: new Date().toISOString() };
    await writeJsonAtomic(join(this.dir(bucket, record.uploadId), 'upload.json'), record);
    this.uploads.set(record.uploadId, { record, parts: new Map() });
    return record;
  }

  get(bucket: string, key: string, uploadId: string): Upload {
    this.store.bucket(bucket);
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.record.bucket !== bucket || upload.record.key !== key) throw noSuchUpload(uploadId);
    return upload;
  }

  list(bucket: string): UploadRecord[] {
    this.store.bucket(bucket);
    return [...this.uploads.values()].filter((u) => u.record.bucket === bucket).map((u) => u.record);
  }

  parts(upload: Upload): PartRecord[] {
    return [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async putPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Ingested<{ path: string }>): Promise<PartRecord> {
    try {
      assertPartNumber(partNumber);
      const upload = this.get(bucket, key, uploadId);
      return await this.store.locks.run(`upload:${uploadId}:${partNumber}`, async () => {
        const dir = this.dir(bucket, uploadId);
        const data = `part-${partNumber}.${randomBytes(6).toString('hex')}`;
        // The folder goes with the upload: a part racing an abort finds none, and the upload is gone.
        if (this.uploads.get(uploadId) !== upload) throw noSuchUpload(uploadId);
        await syncFile(body.path); // part.json's write below syncs the folder, this rename included
        await rename(body.path, join(dir, data)).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'ENOENT' ? noSuchUpload(uploadId) : error;
        });
        const part: PartRecord = {
          partNumber,
          etag: `"${body.md5}"`,
          size: body.size,
          md5: body.md5,
          lastModified: new Date().toISOString(),
          data,
          ...(body.checksum && { checksum: body.checksum.value }),
        };
        await writeJsonAtomic(join(dir, `part-${partNumber}.json`), part);
        const previous = upload.parts.get(partNumber);
        upload.parts.set(partNumber, part);
        if (previous) await rm(join(dir, previous.data), { force: true });
        return part;
      });
    } finally {
      await rm(body.path, { force: true });
    }
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    // Under the upload's lock: an abort does not pull parts from under a completion in progress.
    await this.store.locks.run(`upload:${uploadId}`, async () => {
      this.get(bucket, key, uploadId);
      this.uploads.delete(uploadId);
      await removeIfExists(this.dir(bucket, uploadId));
    });
  }

  /** Validates the part list, assembles the object and commits it as the key's new version. */
  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    requested: readonly RequestedPart[],
    fullChecksum?: string,
    check?: (current?: ObjectVersion) => void,
  ): Promise<ObjectVersion> {
    return this.store.locks.run(`upload:${uploadId}`, () => this.assemble(bucket, key, uploadId, requested, fullChecksum, check));
  }

  private async assemble(
    bucket: string,
    key: string,
    uploadId: string,
    requested: readonly RequestedPart[],
    fullChecksum?: string,
    check?: (current?: ObjectVersion) => void,
  ): Promise<ObjectVersion> {
    const upload = this.get(bucket, key, uploadId);
    const chosen = this.validate(upload, requested);
    const { algorithm, type } = upload.record.checksum ?? { algorithm: 'CRC64NVME' as const, type: 'FULL_OBJECT' as const };
    const fullHasher = type === 'FULL_OBJECT' ? newHasher(algorithm) : undefined;
    const tmpPath = join(this.store.tmpDir, `${randomBytes(12).toString('hex')}.mpu`);
    const out = await open(tmpPath, 'w', FILE_MODE);
    try {
      for (const part of chosen) {
        for await (const chunk of createReadStream(join(this.dir(bucket, uploadId), part.data), { highWaterMark: 1024 * 1024 })) {
          fullHasher?.update(chunk as Buffer);
          await out.write(chunk as Buffer);
        }
      }
    } finally {
      await out.close();
    }

    const value = fullHasher
      ? fullHasher.digest().toString('base64')
      : compositeChecksum(algorithm, chosen.map((p) => p.checksum ?? ''));
    if (fullChecksum !== undefined && fullChecksum !== value) {
      await rm(tmpPath, { force: true });
      throw badDigest(algorithm);
    }
    const etagDigest = createHash('md5').update(Buffer.concat(chosen.map((p) => Buffer.from(p.md5, 'hex')))).digest('hex');
    const version = await this.store.objects.commit(
      bucket,
      key,
      {
        ...upload.record.object,
        body: { path: tmpPath },
        size: chosen.reduce((sum, p) => sum + p.size, 0),
        etag: `"${etagDigest}-${chosen.length}"`,
        parts: chosen.map((p) => p.size),
        checksum: { algorithm, value, type },
      },
      check,
    );
    this.uploads.delete(uploadId);
    await removeIfExists(this.dir(bucket, uploadId));
    return version;
  }

  private validate(upload: Upload, requested: readonly RequestedPart[]): PartRecord[] {
    if (requested.length === 0) throw malformedXml();
    const algorithm = upload.record.checksum?.algorithm;
    const composite = upload.record.checksum?.type === 'COMPOSITE';
    const parts = requested.map((want, i) => {
      if (i > 0 && want.partNumber <= requested[i - 1]!.partNumber) throw invalidPartOrder();
      const part = upload.parts.get(want.partNumber);
      if (!part || stripQuotes(part.etag) !== stripQuotes(want.etag)) throw invalidPart(want.partNumber, want.etag);
      if (algorithm && composite && want.checksum === undefined) {
        throw invalidRequest(
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${want.partNumber} in the request.`,
        );
      }
      if (want.checksum !== undefined && want.checksum !== part.checksum) throw invalidPart(want.partNumber, want.etag);
      return part;
    });
    // Sizes are checked once every part is known to exist.
    parts.slice(0, -1).forEach((part) => {
      if (part.size < MIN_PART_SIZE) throw entityTooSmall(part.size, part.partNumber, part.etag);
    });
    return parts;
  }
}

export function assertPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(partNumber));
  }
}

const stripQuotes = (etag: string) => etag.trim().replace(/^"|"$/g, '');

