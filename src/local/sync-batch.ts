/**
 * Group commit for a whole operation (a CloudFormation stack operation provisions ~50 resources,
 * each a few atomic writes, ten dependency levels deep): inside `inSyncBatch`, storage.ts's writes
 * are atomic (temporary file + rename) and visible at once as always, but their fsyncs wait for
 * `commit()`, which makes all of them durable together. The operation commits before it writes the
 * final status that acknowledges it, so what a client is told is finished is on disk, as before;
 * what is lost to a power failure before that is the part of an operation nobody was told about
 * (a restart rolls such an operation back).
 *
 * One rule keeps "a file is either its old or its new version" after a power failure: a file that
 * existed before the batch (acknowledged state) is still replaced only by a temporary file whose
 * data was synced first. Only files the batch created itself skip that sync; at worst such a file
 * comes back empty, is moved aside as damaged (see storage.ts), and was never acknowledged.
 *
 * The batch rides on AsyncLocalStorage, so the stores need no new parameter. Anything started
 * inside an operation outlives it (an event source poller, timers): once committed the batch is
 * closed, and writes that still carry it are synced one by one as outside any batch.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dirname } from 'node:path';

export class SyncBatch {
  private closed = false;
  /** Files whose contents (and folders whose entries) are not synced yet. */
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  /** Files this batch created: rewriting them needs no sync first (they hold no acknowledged state). */
  private readonly created = new Set<string>();

  constructor(private readonly sync: (path: string) => Promise<void>) {}

  get open(): boolean {
    return !this.closed;
  }

  /** Whether `path` was created by this batch (so far only in the page cache). */
  owns(path: string): boolean {
    return this.created.has(path);
  }

  /**
   * Takes over the syncs of a write that renamed a file into place (`created`: it did not exist
   * before this batch). False once committed: the caller syncs itself.
   */
  wrote(path: string, created: boolean): boolean {
    if (this.closed) return false;
    if (created) {
      this.created.add(path);
      this.files.add(path);
    }
    this.dirs.add(dirname(path));
    return true;
  }

  /** Takes over the sync of an appended file (a log stream). */
  appended(path: string): boolean {
    if (this.closed) return false;
    this.files.add(path);
    return true;
  }

  /** Takes over the folder sync after a removal. */
  removed(path: string): boolean {
    if (this.closed) return false;
    this.created.delete(path);
    this.files.delete(path);
    this.dirs.add(dirname(path));
    return true;
  }

  /** Makes every write of the batch durable; later writes carrying the batch sync themselves. */
  async commit(): Promise<void> {
    this.closed = true;
    const paths = [...this.files, ...this.dirs];
    this.files.clear();
    this.dirs.clear();
    this.created.clear();
    // All at once: concurrent fsyncs share the file system's journal commits.
    await Promise.all(paths.map((p) => this.sync(p)));
  }
}

const scope = new AsyncLocalStorage<SyncBatch>();

/** Runs `work` with its writes in `batch` (see the header). */
export function inSyncBatch<T>(batch: SyncBatch, work: () => T): T {
  return scope.run(batch, work);
}

/** The open batch the current code runs in, if any. */
export function currentBatch(): SyncBatch | undefined {
  const batch = scope.getStore();
  return batch?.open ? batch : undefined;
}

/** Runs `work` outside any batch: its writes are durable when they resolve (the stack file itself). */
export function outsideSyncBatch<T>(work: () => T): T {
  return scope.exit(work);
}
