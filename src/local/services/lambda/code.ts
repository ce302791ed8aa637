/**
 * Function code: zips are kept under `<data-dir>/lambda/zips/<sha256>.zip` and extracted once per
 * digest into `<data-dir>/lambda/code/<sha256>/` (extracted into a temporary folder, then renamed, so a
 * folder that exists is complete). Functions with the same code share the folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { AwsError } from '../../errors.js';
import type { LocalContext } from '../../service.js';
import { DIR_MODE, FILE_MODE, removeIfExistsSync, writeFileAtomicSync } from '../../storage.js';
import type { S3Api } from '../contracts.js';
import { invalidParameter } from './errors.js';
import type { CodeRef } from './model.js';

/** Quotas (Lambda docs, "Lambda quotas"): 50 MB zipped when uploaded directly, 250 MB unzipped. */
const MAX_ZIPPED = 52_428_800;
const MAX_UNZIPPED = 262_144_000;

export interface CodeInput {
  ZipFile?: string | Uint8Array;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
}

export class CodeStore {
  constructor(
    private readonly dir: string,
    private readonly ctx: LocalContext,
  ) {}

  /** Reads the zip from the input (base64 or S3), checks it, stores it; returns its digest. */
  async accept(input: CodeInput | undefined): Promise<CodeRef> {
    const zip = await this.bytesOf(input);
    if (zip.length > MAX_ZIPPED) {
      throw new AwsError('RequestEntityTooLargeException', `Zipped size must be smaller than ${MAX_ZIPPED} bytes`, 413);
    }
    const hash = createHash('sha256').update(zip).digest();
    const ref: CodeRef = { sha256: hash.toString('base64'), hex: hash.toString('hex'), size: zip.length };
    if (!existsSync(this.folder(ref))) this.extract(zip, ref);
    if (!existsSync(this.zipPath(ref))) writeFileAtomicSync(this.zipPath(ref), zip);
    return ref;
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
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip);
    } catch {
      throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
    }
    const total = Object.values(files).reduce((n, f) => n + f.length, 0);
    if (total > MAX_UNZIPPED) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`);
    const target = this.folder(ref);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      for (const [name, data] of Object.entries(files)) {
        const rel = normalize(name);
        if (rel.startsWith('..') || rel.startsWith(sep) || rel.includes(`${sep}..${sep}`)) {
          throw invalidParameter(`The zip file contains an entry outside its root: ${name}`);
        }
        const path = join(tmp, rel);
        if (name.endsWith('/')) {
          mkdirSync(path, { recursive: true, mode: DIR_MODE });
          continue;
        }
        mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
        writeFileSync(path, data, { mode: FILE_MODE });
      }
      mkdirSync(tmp, { recursive: true, mode: DIR_MODE });
      renameSync(tmp, target);
    } catch (error) {
      removeIfExistsSync(tmp);
      // Another request extracted the same code meanwhile: theirs is as good as ours.
      if (existsSync(target)) return;
      throw error;
    }
  }
}
