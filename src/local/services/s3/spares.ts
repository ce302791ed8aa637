/**
 * Empty files made ahead in a bucket's versions/ folder, whose folder entries are already on disk, so
 * PutObject can write a body into one (whole, or streamed) and make the version durable with one
 * sync of that file: no folder fsync on the request's path. Made in batches of BATCH, each batch
 * sharing one folder fsync, and again whenever fewer than LOW are left; with none left (a burst), a
 * write takes the path of a new file + folder fsync (object-store.ts).
 *
 * A spare is named `<id>.spare`. After a crash, one holding a complete version (version-file.ts's
 * footer checks out) is that version; any other was never acknowledged and is removed.
 */
import { closeSync, openSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { pooledRandomBytes } from '../../random.js';
import { FILE_MODE, syncDir } from '../../storage.js';

export const SPARE_SUFFIX = '.spare';
const BATCH = 32;
const LOW = 8;
const STEP = 8;

export class SparePool {
  private readonly ready: string[] = [];
  private refilling: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly dir: string) {}

  /** A spare's path, or undefined when none is ready; asking also tops the pool up in the background. */
  take(): string | undefined {
    const name = this.ready.pop();
    if (this.ready.length < LOW && !this.refilling && !this.closed) this.refilling = this.refill();
    return name === undefined ? undefined : join(this.dir, name);
  }

  /** No more spares; resolves once no file is being made (the folder may then be removed). */
  async close(): Promise<void> {
    this.closed = true;
    this.ready.length = 0;
    await this.refilling;
  }

  /**
   * Creates BATCH spares, then syncs the folder once. The files are created synchronously, STEP at a
   * time between turns of the event loop: creating an empty file is a system call of about 15 µs,
   * where a trip to libuv's thread pool costs 30–60 µs of its own on this machine (bench/s3-write.ts).
   */
  private async refill(): Promise<void> {
    try {
      const names: string[] = [];
      for (let i = 0; i < BATCH && !this.closed; i++) {
        if (i % STEP === 0) await nextTurn(); // the first too: take() is on a request's path
        const name = `${pooledRandomBytes(16).toString('hex')}${SPARE_SUFFIX}`;
        closeSync(openSync(join(this.dir, name), 'wx', FILE_MODE));
        names.push(name);
      }
      await syncDir(this.dir);
      if (!this.closed) this.ready.push(...names);
    } catch {
      // The bucket was deleted meanwhile (its folder with it): nothing to top up.
    } finally {
      this.refilling = undefined;
    }
  }
}
