/**
 * Unpacks a function's .zip into a folder with bounded memory and disk: a zip bomb is refused before
 * anything is inflated when its directory declares more than Lambda's unzipped limit, and entries are
 * inflated in small slices straight to disk, counted as they come, so an archive that lies about its
 * sizes is stopped at the limit (never held in memory whole).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { Unzip, UnzipInflate, unzipSync } from 'fflate';
import { DIR_MODE, FILE_MODE } from '../../storage.js';
import { invalidParameter } from './errors.js';

/** Lambda quotas: 250 MB unzipped (code and layers). */
export const MAX_UNZIPPED = 262_144_000;

/** Compressed bytes fed to the inflater at a time: at deflate's ~1:1032 best, ≤ 17 MB out per slice. */
const SLICE = 16 * 1024;

const unzipError = () => invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
const tooLarge = (max: number) => invalidParameter(`Unzipped size must be smaller than ${max} bytes`);

/** Checks the zip's directory (names, declared sizes), then extracts it into `target`. */
export function extractZip(zip: Uint8Array, target: string, max = MAX_UNZIPPED): void {
  let declared = 0;
  try {
    // filter() sees each central directory entry; returning false inflates nothing.
    unzipSync(zip, {
      filter(file) {
        safePath(target, file.name);
        declared += file.originalSize;
        if (declared > max) throw tooLarge(max);
        return false;
      },
    });
  } catch (error) {
    if ((error as Error).name === 'InvalidParameterValueException') throw error;
    throw unzipError();
  }

  let total = 0;
  let failure: Error | undefined;
  const unzipper = new Unzip((file) => {
    if (failure) return;
    let path: string;
    try {
      path = safePath(target, file.name);
    } catch (error) {
      failure = error as Error;
      return;
    }
    if (file.name.endsWith('/')) {
      mkdirSync(path, { recursive: true, mode: DIR_MODE });
      return;
    }
    mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
    const fd = openSync(path, 'w', FILE_MODE);
    let open = true;
    let written = 0;
    const close = () => {
      if (open) closeSync(fd);
      open = false;
    };
    file.ondata = (error, data, final) => {
      if (failure) return close();
      if (error) {
        failure = unzipError();
        return close();
      }
      total += data.length;
      written += data.length;
      // More than the entry's header declared: a lying archive, refused at once.
      if (file.originalSize !== undefined && written > file.originalSize) {
        failure = unzipError();
        file.terminate();
        return close();
      }
      if (total > max) {
        failure = tooLarge(max);
        file.terminate();
        return close();
      }
      if (data.length) writeSync(fd, data);
      if (final) close();
    };
    try {
      file.start();
    } catch {
      close();
      failure = unzipError(); // a compression method other than stored or deflate
    }
  });
  unzipper.register(UnzipInflate);
  try {
    for (let i = 0; i < zip.length && !failure; i += SLICE) {
      unzipper.push(zip.subarray(i, i + SLICE), i + SLICE >= zip.length);
    }
  } catch (error) {
    failure ??= (error as Error).name === 'InvalidParameterValueException' ? (error as Error) : unzipError();
  }
  mkdirSync(target, { recursive: true, mode: DIR_MODE });
  if (failure) throw failure;
}

/** Where an entry goes inside `root`; refuses names that would land outside it. */
function safePath(root: string, name: string): string {
  const rel = normalize(name);
  if (rel.startsWith('..') || rel.startsWith(sep) || rel.includes(`${sep}..${sep}`) || /^[a-zA-Z]:/.test(rel) || name.includes('\0')) {
    throw invalidParameter(`The zip file contains an entry outside its root: ${name.slice(0, 200)}`);
  }
  return join(root, rel);
}
