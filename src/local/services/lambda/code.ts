/**
 * Function code: zips are kept under `<data-dir>/lambda/zips/<sha256>.zip` and extracted once per
 * digest into `<data-dir>/lambda/code/<sha256>/` (extracted into a temporary folder, then renamed, so a
 * folder that exists is complete). Functions with the same code share the folder.
 *
 * Code from S3 is remembered by the object's version and ETag: a stack created again from the same
 * assets (a 2 MB bundle per function) is neither read nor hashed again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { AwsError } from '../../errors.js';
import type { LocalContext } from '../../service.js';
import { removeIfExistsSync, writeFileAtomicSync } from '../../storage.js';
import type { S3Api } from '../contracts.js';
import { invalidParameter } from './errors.js';
import type { CodeRef } from './model.js';
import { MAX_UNZIPPED, extractZip } from './unzip.js';

/** Quotas (Lambda docs, "Lambda quotas"): 50 MB zipped when uploaded directly, 250 MB unzipped (unzip.ts). */
const MAX_ZIPPED = 52_428_800;

export interface CodeInput {
  ZipFile?: string | Uint8Array;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
}

/** Remembered S3 objects, at most (a bound on memory, not a cache that must stay warm). */
const MAX_REMEMBERED = 1000;

export class CodeStore {
  /** `bucket key tag` (S3Api.objectTag) → the code those bytes are. */
  private readonly fromS3 = new Map<string, CodeRef>();

  constructor(
    private readonly dir: string,
    private readonly ctx: LocalContext,
  ) {}

  /** Reads the zip from the input (base64 or S3), checks it, stores it; returns its digest. */
  async accept(input: CodeInput | undefined): Promise<CodeRef> {
    const s3Key = this.s3Identity(input);
    const known = s3Key === undefined ? undefined : this.fromS3.get(s3Key);
    if (known && existsSync(this.folder(known)) && existsSync(this.zipPath(known))) return { ...known };
    const zip = await this.bytesOf(input);
    if (zip.length > MAX_ZIPPED) {
      throw new AwsError('RequestEntityTooLargeException', `Zipped size must be smaller than ${MAX_ZIPPED} bytes`, 413);
    }
    const hash = createHash('sha256').update(zip).digest();
    const ref: CodeRef = { sha256: hash.toString('base64'), hex: hash.toString('hex'), size: zip.length };
    if (!existsSync(this.folder(ref))) this.extract(zip, ref);
    if (!existsSync(this.zipPath(ref))) writeFileAtomicSync(this.zipPath(ref), zip);
    if (s3Key !== undefined) {
      if (this.fromS3.size >= MAX_REMEMBERED) this.fromS3.clear();
      this.fromS3.set(s3Key, { ...ref });
    }
    return ref;
  }

  /** The S3 object's identity, or undefined (not from S3, or not there: bytesOf says why). */
  private s3Identity(input: CodeInput | undefined): string | undefined {
    if (input?.ZipFile || !input?.S3Bucket || !input.S3Key) return undefined;
    try {
      const tag = this.ctx.service<S3Api>('s3').objectTag(input.S3Bucket, input.S3Key, input.S3ObjectVersion);
      return `${input.S3Bucket}\0${input.S3Key}\0${tag}`;
    } catch {
      return undefined;
    }
  }

  folder(ref: CodeRef): string {
    return join(this.dir, 'code', ref.hex);
  }

  zipPath(ref: CodeRef): string {
    return join(this.dir, 'zips', `${ref.hex}.zip`);
  }

  private async bytesOf(input: CodeInput | undefined): Promise<Buffer> {
    if (input?.ZipFile) {
      return typeof input.ZipFile === 'string' ? Buffer.from(input.ZipFile, 'base64') : Buffer.from(input.ZipFile);
    }
    if (input?.S3Bucket && input.S3Key) {
      let s3: S3Api;
      try {
        s3 = this.ctx.service<S3Api>('s3');
      } catch {
        throw invalidParameter('Error occurred while GetObject. tap local is running without S3.');
      }
      try {
        return await s3.getObjectBytes(input.S3Bucket, input.S3Key, input.S3ObjectVersion);
      } catch (error) {
        // Lambda wraps S3's error in its own (InvalidParameterValueException naming the S3 code).
        const code = error instanceof AwsError ? error.code : 'InternalError';
        throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${(error as Error).message}`);
      }
    }
    throw invalidParameter('Please provide a source for function code (ZipFile, or S3Bucket and S3Key).');
  }

  private extract(zip: Buffer, ref: CodeRef): void {
    const target = this.folder(ref);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      extractZip(zip, tmp, MAX_UNZIPPED);
      renameSync(tmp, target);
    } catch (error) {
      removeIfExistsSync(tmp);
      // Another request extracted the same code meanwhile: theirs is as good as ours.
      if (existsSync(target)) return;
      throw error;
    }
  }
}
