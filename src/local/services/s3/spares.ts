/**
 * Empty files made ahead in a bucket's versions/ folder, whose folder entries are already on disk,
 * so PutObject can stream a body into one and make the whole version durable with one fsync of that
 * file: no rename and no folder fsync on the request's path. Made in batches of BATCH, each batch
 * sharing one folder fsync, and again whenever fewer than LOW are left; with none left (a burst), a
 * write takes the usual temp file + rename + folder fsync path (object-store.ts).
 *
 * A spare is named `<id>.spare`. After a crash, one holding a complete version (version-file.ts's
 * footer checks out) is that version; any other was never acknowledged and is removed.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE, syncDir } from '../../storage.js';

export const SPARE_SUFFIX = '.spare';
const BATCH = 32;
const LOW = 8;

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

  private async refill(): Promise<void> {
    try {
      const names = Array.from({ length: BATCH }, () => `${randomBytes(16).toString('hex')}${SPARE_SUFFIX}`);
      await Promise.all(names.map(async (name) => (await open(join(this.dir, name), 'wx', FILE_MODE)).close()));
      await syncDir(this.dir);
      this.ready.push(...names);
    } catch {
      // The bucket was deleted meanwhile (its folder with it): nothing to top up.
    } finally {
      this.refilling = undefined;
    }
  }
}
