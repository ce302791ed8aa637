/**
 * One object version, one file (`buckets/<bucket>/versions/<id>`): the body's bytes, then the
 * version's metadata as JSON, then a 16-byte footer:
 *
 *   [body: size bytes][metadata JSON][CRC32 of the JSON: 4][JSON length: 4][magic "tapobj01": 8]
 *
 * Why one file: body and metadata become durable together with one fsync of one file, where two
 * files in two folders needed four (two file, two folder fsyncs); into a spare file (spares.ts) that
 * is the whole cost of a PutObject. The body comes first so it streams to disk as it arrives and
 * GET/Range read it at its own offsets; the metadata is known only once the body is in (its size,
 * MD5, checksum), so it goes last. HEAD and listings never read the file: the index is in memory,
 * filled from the footers at start.
 *
 * The footer is written last: a file whose footer does not check out (short, torn, wrong length or
 * CRC) was never completely written, or was damaged since; readVersionFile says why.
 */
import { closeSync, constants, openSync, write } from 'node:fs';
import { open } from 'node:fs/promises';
import { FILE_MODE } from '../../storage.js';
import { newHasher } from './checksums.js';
import type { ObjectVersion } from './objects.js';

const MAGIC = Buffer.from('tapobj01', 'latin1');
const FOOTER_BYTES = 16;

/** What follows the body: the metadata and the footer that lets a reader find and check it. */
function metadataTrailer(version: ObjectVersion): Buffer {
  const json = Buffer.from(JSON.stringify(version), 'utf8');
  const footer = Buffer.alloc(FOOTER_BYTES);
  crc32(json).copy(footer, 0);
  footer.writeUInt32BE(json.length, 4);
  MAGIC.copy(footer, 8);
  return Buffer.concat([json, footer]);
}

/**
 * Writes `version`'s metadata after its body in `path` (`create`: a new file holding no body, a delete
 * marker's) and syncs the file. `cut` first cuts the file back to the body (it may end in an older trailer).
 */
export async function sealVersionFile(path: string, version: ObjectVersion, options: { create?: boolean; cut?: boolean } = {}): Promise<void> {
  const file = await open(path, options.create ? 'wx' : 'r+', FILE_MODE);
  try {
    if (options.cut) await file.truncate(version.size);
    await file.write(metadataTrailer(version), 0, undefined, version.size);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Writes a whole version file, body and metadata in one write, and syncs it: into a spare (opened,
 * never created, so its folder entry stays the one on disk) or, with `create`, a new file.
 *
 * Every small PutObject takes this path, so it costs one trip to libuv's thread pool, for the write
 * that waits on the disk. The open and close around it are system calls of a few microseconds on a
 * file that is not being flushed (O_DSYNC leaves nothing for close to do), where a trip to the pool
 * costs 30–60 µs of its own on this machine (bench/s3-write.ts); so they are made here, synchronously.
 */
export async function writeVersionFile(path: string, body: Uint8Array, version: ObjectVersion, options: { create: boolean }): Promise<void> {
  // O_DSYNC: the write returns once the bytes and the size are on disk, as write + fdatasync would, one step fewer.
  const flags = constants.O_WRONLY | constants.O_DSYNC | (options.create ? constants.O_CREAT | constants.O_EXCL : 0);
  const data = Buffer.concat([body, metadataTrailer(version)]);
  const fd = openSync(path, flags, FILE_MODE);
  try {
    await writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (offset: number): void =>
      write(fd, data, offset, data.length - offset, offset, (error, written) => {
        if (error) return reject(error);
        if (offset + written < data.length) return from(offset + written);
        resolve();
      });
    from(0);
  });
}

/** The version a file holds (its `data` is the file's own name), or why the file is not a whole one. */
export async function readVersionFile(path: string, name: string): Promise<ObjectVersion | Error> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size < FOOTER_BYTES) return new Error(`${size} bytes: shorter than the footer`);
    const footer = Buffer.alloc(FOOTER_BYTES);
    await file.read(footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
    if (!footer.subarray(8).equals(MAGIC)) return new Error('no footer: the file ends before its metadata');
    const length = footer.readUInt32BE(4);
    if (length > size - FOOTER_BYTES) return new Error('the footer gives a metadata length longer than the file');
    const json = Buffer.alloc(length);
    await file.read(json, 0, length, size - FOOTER_BYTES - length);
    if (!crc32(json).equals(footer.subarray(0, 4))) return new Error('the metadata does not match its CRC32');
    const version = JSON.parse(json.toString('utf8')) as ObjectVersion;
    if (version.size !== size - FOOTER_BYTES - length) return new Error(`the body is not the ${version.size} bytes the metadata says`);
    return { ...version, data: name };
  } catch (error) {
    return error as Error;
  } finally {
    await file.close();
  }
}

function crc32(data: Buffer): Buffer {
  const hasher = newHasher('CRC32');
  hasher.update(data);
  return hasher.digest();
}
