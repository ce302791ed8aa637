/**
 * `tap upload`: files (or a generated test file) → `incoming/` in the pipeline's bucket, one after the
 * other with parallel parts, then optionally follow each through the pipeline.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listInputExtensions } from '../handlers/contract.js';
import { interrupted } from './abort.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { type GeneratedFile, writeShipmentsFile } from './generate.js';
import { podKey, uploadKey } from './keys.js';
import type { Pipeline } from './pipeline.js';
import type { Reporter } from './reporter.js';
import { transferProgress } from './units.js';
import { type InputFile, isReadableFormat, resolveInputs } from './upload-inputs.js';
import { UploadAborted, uploadFile } from './upload-file.js';
import { type Outcome, failed, waitForOutcomes } from './wait.js';

export interface UploadOptions {
  /** Files, directories or globs, relative to `cwd`. */
  readonly inputs: readonly string[];
  readonly cwd: string;
  /** Folder(s) under `incoming/`. */
  readonly prefix?: string;
  /** Also upload a generated file of this many records. */
  readonly generate?: { readonly count: number; readonly badRatio: number; readonly seed?: number };
  /** Follow the files through the pipeline for at most this long. */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
  /** Least time between two progress events of one file (a TTY redraws often; a log wants few lines). */
  readonly progressIntervalMs?: number;
  readonly tempDir?: string;
  readonly partSize?: number;
  readonly queueSize?: number;
  /** A proof-of-delivery photo (or several) of this shipment: uploaded under `pod/<shipment>/`. */
  readonly shipment?: string;
  /** Through the partner API (POST /files, then the presigned POST it answers) instead of straight to S3. */
  readonly viaApi?: boolean;
}

/** One uploaded file. */
export interface UploadedFile {
  /** The local file; absent for a generated one (a temporary file, deleted after the upload). */
  readonly path?: string;
  readonly key: string;
  readonly size: number;
  readonly versionId?: string;
  readonly etag?: string;
  readonly parts: number;
  readonly ms: number;
}

export interface UploadResult {
  readonly bucket: string;
  readonly files: UploadedFile[];
  /** What the generated file holds, so the counts can be checked against the outcome. */
  readonly generated?: GeneratedFile & { readonly key: string };
  /** Present with `waitMs`: one per file, in upload order. */
  readonly outcomes?: Outcome[];
  /** False if any followed file failed, was dead-lettered or timed out. */
  readonly ok: boolean;
}

export async function upload(clients: Clients, pipeline: Pipeline, options: UploadOptions, reporter: Reporter): Promise<UploadResult> {
  // Check every input (and that there is something to do) before the first byte goes out.
  const inputs = options.inputs.length || !options.generate ? await resolveInputs(options.inputs, options.cwd) : [];
  for (const file of options.shipment !== undefined ? [] : inputs.filter((f) => !isReadableFormat(f.name))) {
    reporter.emit({ type: 'warn', code: 'TAP_UPLOAD_UNREADABLE_FORMAT', message: `${file.name}: the processor reads ${listInputExtensions('and')}; this file will be marked FAILED.` });
  }
  const keyOf = (name: string) => (options.shipment !== undefined ? podKey(options.shipment, name) : uploadKey(options.prefix ?? '', name));

  let generated: { file: InputFile; summary: GeneratedFile & { key: string } } | undefined;
  if (options.generate) {
    const name = `generated-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}-${options.generate.count}.json`;
    const path = join(options.tempDir ?? tmpdir(), name);
    const written = await writeShipmentsFile(path, options.generate).catch(async (error: unknown) => {
      await rm(path, { force: true });
      throw error;
    });
    generated = { file: { path, name, size: written.bytes }, summary: { ...written, key: keyOf(name) } };
    reporter.emit({ type: 'info', code: 'TAP_UPLOAD_GENERATED', message: `Generated ${written.records} records (${written.invalid} invalid) in ${path} (deleted after the upload)` });
  }
  const files = [...inputs, ...(generated ? [generated.file] : [])];

  return explained(clients.target, `uploading to ${pipeline.bucket}`, async () => {
    const uploaded: UploadedFile[] = [];
    for (const [i, file] of files.entries()) {
      const position = { i, of: files.length };
      uploaded.push(
        options.viaApi
          ? await uploadThroughApi(clients, pipeline, keyOf(file.name), file, position, options, reporter)
          : await uploadOne(await clients.s3(), pipeline.bucket, keyOf(file.name), file, position, options, reporter),
      );
    }
    let outcomes: Outcome[] | undefined;
    if (options.waitMs !== undefined) {
      outcomes = await waitForOutcomes(
        clients,
        // Photos that keep failing end in the pod queue's DLQ, not the ingest queue's.
        options.shipment !== undefined && pipeline.podDlqUrl ? { ...pipeline, dlqUrl: pipeline.podDlqUrl } : pipeline,
        uploaded.map((u) => ({ key: u.key, after: Date.now() - u.ms, ...(u.versionId && { versionId: u.versionId }), ...(u.etag && { etag: u.etag }) })),
        { timeoutMs: options.waitMs, ...(options.signal && { signal: options.signal }) },
        reporter,
      );
      if (options.signal?.aborted) {
        throw interrupted(`stopped waiting; all ${uploaded.length} file(s) were uploaded. Follow them with: tap status --file <key>`);
      }
    }
    return {
      bucket: pipeline.bucket,
      // The generated file's temporary path is gone once this returns: not worth naming.
      files: uploaded.map(({ path, ...u }) => (path && path !== generated?.file.path ? { path, ...u } : u)),
      ...(generated && { generated: generated.summary }),
      ...(outcomes && { outcomes }),
      ok: !outcomes?.some(failed),
    };
  }).finally(async () => {
    if (generated) await rm(generated.file.path, { force: true });
  });
}

async function uploadOne(
  s3: Awaited<ReturnType<Clients['s3']>>,
  bucket: string,
  key: string,
  file: InputFile,
  position: { i: number; of: number },
  options: UploadOptions,
  reporter: Reporter,
): Promise<UploadedFile> {
  const counter = `[${position.i + 1}/${position.of}]`;
  const started = performance.now();
  let lastEmit = -Infinity;
  const interval = options.progressIntervalMs ?? 250;
  const progress = (loaded: number, total: number) => {
    const now = performance.now();
    // The end is reported by the `done` event; a small file has nothing in between.
    if (loaded >= total || now - lastEmit < interval) return;
    lastEmit = now;
    reporter.emit({ type: 'progress', code: 'TAP_UPLOAD_TRANSFER', message: `${counter} ${key}: ${transferProgress(loaded, total, now - started)}`, done: loaded, total, unit: 'bytes' });
  };
  try {
    const result = await uploadFile(s3, { path: file.path, size: file.size, bucket, key }, {
      onProgress: progress,
      ...(options.signal && { signal: options.signal }),
      ...(options.partSize && { partSize: options.partSize }),
      ...(options.queueSize && { queueSize: options.queueSize }),
    });
    const ms = Math.round(performance.now() - started);
    reporter.emit({ type: 'done', code: 'TAP_UPLOAD_DONE', message: `${counter} Uploaded ${key}`, ms });
    return { path: file.path, key, size: file.size, ...result, ms };
  } catch (error) {
    if (!(error instanceof UploadAborted)) throw error;
    const left = error.partsLeft
      ? `${error.partsLeft} part(s) of upload ${error.uploadId} could not be removed; the bucket's lifecycle rule deletes them within 7 days`
      : 'no parts were left behind';
    throw interrupted(`the upload of ${key} was aborted and ${left}.${position.i ? ` The ${position.i} file(s) before it were uploaded.` : ''}`);
  }
}

async function uploadThroughApi(
  clients: Clients,
  pipeline: Pipeline,
  key: string,
  file: InputFile,
  position: { i: number; of: number },
  options: UploadOptions,
  reporter: Reporter,
): Promise<UploadedFile> {
  const { askUploadPermission, postWithPermission } = await import('./api-upload.js');
  const counter = `[${position.i + 1}/${position.of}]`;
  const started = performance.now();
  reporter.emit({ type: 'info', code: 'TAP_UPLOAD_API_PERMISSION', message: `${counter} Asking the API for an upload permission for ${key}` });
  const permission = await askUploadPermission(clients, pipeline, key, file.size, options.signal);
  const result = await postWithPermission(permission, file.path, options.signal);
  const ms = Math.round(performance.now() - started);
  reporter.emit({ type: 'done', code: 'TAP_UPLOAD_DONE', message: `${counter} Uploaded ${result.key} through the API`, ms });
  return { path: file.path, key: result.key, size: file.size, parts: 1, ms, ...(result.versionId && { versionId: result.versionId }), ...(result.etag && { etag: result.etag }) };
}
