import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { damaged } from './data-dir.js';
import { SyncBatch, currentBatch } from './sync-batch.js';

/** Folders and files of the data dir: the user's own, whatever the umask (it can only take bits away). */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/**
 * Persistence primitives. Every write goes to a temporary file in the same folder, is flushed to the
 * disk (fsync), renamed over the target, and the folder is synced too, so an acknowledged write
 * survives a power loss as well as a kill -9, and a file is always either the old or the new version.
 * Folder syncs are group commits (syncDir): concurrent writes into one folder share one fsync.
 * Inside a SyncBatch (sync-batch.ts) the syncs are the batch's, at its commit.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // The folder usually exists: made only when the write finds it missing (one syscall less per write).
  try {
    await writeFileAtomicIn(path, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    await writeFileAtomicIn(path, data);
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  // As writeFileAtomic: the folder is made only when the write finds it missing.
  try {
    writeFileAtomicSyncIn(path, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
    writeFileAtomicSyncIn(path, data);
  }
}

function writeFileAtomicSyncIn(path: string, data: string | Uint8Array): void {
  const tmp = tmpName(path);
  const batch = currentBatch();
  const created = batch !== undefined && (batch.owns(path) || !existsSync(path));
  writeFileSync(tmp, data, { mode: FILE_MODE, flush: !created });
  renameSync(tmp, path);
  if (batch?.wrote(path, created)) return;
  if (created) syncDirSync(path); // the batch was committed meanwhile (fsync opens a file as a folder)
  syncDirSync(dirname(path));
}

/**
 * writeFileAtomic for a record whose newest state lives in memory and that synchronous writes may
 * also save (an SQS queue's queue.json): the data is written and synced off the event loop, then
 * renamed into place only if `current()` still says this is the newest state. A newer write
 * meanwhile has written this state too (it serialized the record as it is then), so this one is
 * dropped; so is a write whose record was removed meanwhile (its folder renamed away).
 */
export function writeFileAtomicIfCurrent(path: string, data: string | Uint8Array, current: () => boolean): Promise<void> {
  return writeFileAtomicIn(path, data, current);
}

/** writeFileAtomic without the mkdir; with `current`, as writeFileAtomicIfCurrent. */
async function writeFileAtomicIn(path: string, data: string | Uint8Array, current?: () => boolean): Promise<void> {
  const tmp = tmpName(path);
  const batch = currentBatch();
  // In a batch, only a file holding state from before it needs its replacement synced first.
  const created = batch !== undefined && (batch.owns(path) || !existsSync(path));
  try {
    await writeFile(tmp, data, { mode: FILE_MODE, flush: !created });
  } catch (error) {
    if (current?.() === false) return;
    throw error;
  }
  if (!current) await rename(tmp, path);
  else if (!current()) return void (await rm(tmp, { force: true }));
  else renameSync(tmp, path); // synchronous from the check on: no other write of the file can come in between
  if (batch?.wrote(path, created)) return;
  if (created) await fsyncPath(path); // the batch was committed meanwhile
  await syncDir(dirname(path));
}

let tmpCount = 0;
/** A temporary name beside `path`, unique per process and write (cheaper than random bytes per write). */
function tmpName(path: string): string {
  return `${path}.${process.pid}-${(tmpCount++).toString(36)}.tmp`;
}

/**
 * A new version of a file that exists durably already, its data synced but not its folder: after a
 * power failure the file holds this version or an earlier one, each a state it really had. The next
 * writeFileAtomic of the file (its folder sync) makes this one durable too. Never inside a batch.
 */
export async function replaceFileUnsynced(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpName(path);
  await writeFile(tmp, data, { mode: FILE_MODE, flush: true });
  await rename(tmp, path);
}

/** A batch for `inSyncBatch` whose commit syncs with this module's fsync. */
export function createSyncBatch(): SyncBatch {
  return new SyncBatch(fsyncPath);
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value));
}

export async function mkdirPrivate(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: DIR_MODE });
}

export function mkdirPrivateSync(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
}

/** How a reader reports a state file it cannot parse (see data-dir.ts). */
export interface ReadOptions {
  /** What is lost when the file is moved aside, for the log and `tap local status`. */
  readonly lost?: string;
  /** Move this (a record's whole folder) instead of the file alone. */
  readonly moveAside?: string;
}

/**
 * A state file's JSON, or undefined when it does not exist. A damaged one (empty, torn, not JSON) is
 * moved aside and reported, and reads as missing: one bad file must not keep the rest from loading.
 */
export async function readJsonIfExists<T>(path: string, options: ReadOptions = {}): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseState<T>(path, text, options);
}

export function readJsonIfExistsSync<T>(path: string, options: ReadOptions = {}): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseState<T>(path, text, options);
}

function parseState<T>(path: string, text: string, options: ReadOptions): T | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object') throw new Error('not a JSON object or array');
    return value as T;
  } catch (error) {
    const reason = text.length === 0 ? new Error('empty file') : error;
    damaged(path, options.lost ?? `the state in ${path}`, reason, options.moveAside ? { moveAside: options.moveAside } : {});
    return undefined;
  }
}

/** Removes a file or folder, durably: its folder is synced (an acknowledged delete stays deleted). */
export async function removeIfExists(path: string): Promise<void> {
  // Most removals are one record's file: a single unlink, not rm -r's lstat-then-unlink walk.
  try {
    await unlink(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (isFolderError(code)) await rm(path, { recursive: true, force: true });
    else if (code !== 'ENOENT') throw error;
  }
  if (currentBatch()?.removed(path)) return;
  await syncDir(dirname(path));
}

export function removeIfExistsSync(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (isFolderError(code)) rmSync(path, { recursive: true, force: true });
    else if (code !== 'ENOENT') throw error;
  }
  if (currentBatch()?.removed(path)) return;
  try {
    syncDirSync(dirname(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The folder sync of a rename into or out of `path`'s folder (a delete done by moving the thing aside,
 * whose leftovers a restart removes): removeIfExistsSync's durability, without the removal.
 */
export function syncRemovalSync(path: string): void {
  if (currentBatch()?.removed(path)) return;
  syncDirSync(dirname(path));
}

/** unlink's answer for a folder: EISDIR on Linux, EPERM on macOS (and on Windows, where rm sorts it out). */
function isFolderError(code: string | undefined): boolean {
  return code === 'EISDIR' || code === 'EPERM' || code === 'EACCES';
}

/** fsync of a file written by a stream, before it is renamed into place. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function serviceDir(dataDir: string, service: string): string {
  return join(dataDir, service);
}

/**
 * The lines of an append-only JSON-lines file (SQS journal, log stream). The text after the last
 * newline is the torn tail of a kill mid-append, never acknowledged: dropped silently. Any other line
 * that does not parse is damage: reported, and the file is copied aside before anything rewrites it.
 */
export function parseLines<T>(path: string, text: string, lost: (badLines: number) => string): { records: T[]; intactBytes: number } {
  const lines = text.split('\n');
  const tail = lines.pop()!;
  const records: T[] = [];
  let bad = 0;
  let firstError: unknown;
  for (const line of lines) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (error) {
      bad++;
      firstError ??= error;
    }
  }
  if (bad > 0) damaged(path, lost(bad), new Error(`${bad} damaged line(s), the first: ${(firstError as Error).message}`), { copy: true });
  return { records, intactBytes: Buffer.byteLength(text, 'utf8') - Buffer.byteLength(tail, 'utf8') };
}

/** One folder's group commit: the sync running now, and the one that waits for it (shared by all who ask meanwhile). */
interface DirSync {
  running?: Promise<void>;
  next?: Promise<void>;
}
const dirSyncs = new Map<string, DirSync>();

/**
 * fsync of a folder after a rename into it, shared: a caller whose rename happened before a sync
 * started waits for that one; others join the single next one. With 16 requests in flight, that is
 * two folder syncs, not sixteen.
 */
export function syncDir(dir: string): Promise<void> {
  return syncPath(dir);
}

/** The same group commit for a file that is appended to (a log stream): one fsync per batch of appends. */
export function syncPath(dir: string): Promise<void> {
  if (currentBatch()?.appended(dir)) return Promise.resolve();
  let state = dirSyncs.get(dir);
  if (!state) dirSyncs.set(dir, (state = {}));
  if (state.next) return state.next;
  const s = state;
  const next = (async () => {
    await s.running?.catch(() => undefined);
    s.next = undefined;
    const running = fsyncPath(dir);
    s.running = running;
    try {
      await running;
    } finally {
      if (s.running === running) s.running = undefined;
      if (!s.running && !s.next) dirSyncs.delete(dir);
    }
  })();
  state.next = next;
  return next;
}

/** fsync of a file or folder by path; one removed meanwhile has nothing left to make durable. */
async function fsyncPath(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile: nothing left to make durable
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
