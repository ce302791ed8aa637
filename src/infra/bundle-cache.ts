/**
 * Reusing a handler's bundle when none of its own inputs changed: after an edit to one handler, a
 * synth rebuilds that handler's bundle only (esbuild is most of a synth's time), the others are kept.
 *
 * Next to each bundle folder, `.bundles/<name>.json` records what the bundle was built from, as
 * esbuild's metafile lists it: the sha256 of every input file outside node_modules, and a key made of
 * the build options, esbuild's version and the lockfile (packages in node_modules change only with
 * it, as in fingerprint.ts, so their thousand files are not read). The record also holds the bundle's
 * own hash, so a bundle edited or deleted by hand is rebuilt. The record is removed before a build and
 * written after it, so a build that fails or is killed leaves nothing to reuse. It lives beside the
 * folder, not in it: the folder is the Lambda asset, uploaded as it is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { lockfilePath } from './paths.js';

interface BundleRecord {
  readonly key: string;
  /** Absolute path → sha256 of its contents, for the inputs outside node_modules. */
  readonly inputs: Record<string, string>;
  /** sha256 of index.mjs. */
  readonly output: string;
  readonly bytes: number;
}

/** The record's key: everything that shapes the bundle besides the input files' contents. */
export function bundleKey(parts: { options: unknown; esbuildVersion: string; root: string }): string {
  const lockfile = lockfilePath(parts.root);
  const hash = createHash('sha256').update(JSON.stringify({ options: parts.options, esbuild: parts.esbuildVersion }));
  if (lockfile) hash.update('\0lockfile\0').update(readFileSync(lockfile));
  return hash.digest('hex');
}

/** The size of the bundle in `dir` if it was built with `key` from inputs that are all unchanged. */
export function reusableBundle(dir: string, key: string): number | undefined {
  let record: BundleRecord;
  try {
    record = JSON.parse(readFileSync(recordFile(dir), 'utf8')) as BundleRecord;
  } catch {
    return undefined;
  }
  if (record.key !== key) return undefined;
  try {
    for (const [file, digest] of Object.entries(record.inputs)) if (sha256(file) !== digest) return undefined;
    if (sha256(join(dir, 'index.mjs')) !== record.output || !existsSync(join(dir, 'index.mjs.map'))) return undefined;
  } catch {
    return undefined; // an input or the bundle is gone
  }
  return record.bytes;
}

/** Forgets the record before `dir` is rebuilt. */
export function forgetBundle(dir: string): void {
  rmSync(recordFile(dir), { force: true });
}

/** Records what the bundle now in `dir` was built from (metafile paths are relative to `workingDir`). */
export function recordBundle(dir: string, key: string, metafile: Metafile, workingDir: string, bytes: number): void {
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(metafile.inputs)) {
    // Packages are the lockfile's part; `(disabled):…` and other namespaces are not files.
    if (input.includes('node_modules/') || /^[a-z()-]+:/i.test(input)) continue;
    const file = resolve(workingDir, input);
    inputs[file] = sha256(file);
  }
  const record: BundleRecord = { key, inputs, output: sha256(join(dir, 'index.mjs')), bytes };
  writeFileSync(recordFile(dir), JSON.stringify(record));
}

function recordFile(dir: string): string {
  return `${dir}.json`;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
