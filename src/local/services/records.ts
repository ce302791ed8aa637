import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fsName } from '../names.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../storage.js';

/**
 * A folder of JSON records, one file per id, each written atomically: the store of the small
 * "stored, not run" services (SNS topics, alarms, parameters). Reads go to disk, so every process
 * sees the same state and a restart loses nothing.
 */
export class RecordStore<T> {
  /** `kind` names a record in damage reports ("SSM parameter"). */
  constructor(
    private readonly dir: string,
    private readonly kind = 'record',
  ) {}

  private path(id: string): string {
    return join(this.dir, `${fsName(id)}.json`);
  }

  get(id: string): Promise<T | undefined> {
    return readJsonIfExists<T>(this.path(id), { lost: `${this.kind} ${id}` });
  }

  put(id: string, record: T): Promise<void> {
    return writeJsonAtomic(this.path(id), record);
  }

  async delete(id: string): Promise<boolean> {
    const existed = (await this.get(id)) !== undefined;
    await removeIfExists(this.path(id));
    return existed;
  }

  async list(): Promise<T[]> {
    let files: string[];
    try {
      files = (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const records = await Promise.all(files.map((f) => readJsonIfExists<T>(join(this.dir, f), { lost: `a ${this.kind} (file ${f})` })));
    return records.filter((r): r is Awaited<T> => r !== undefined) as T[];
  }

  clear(): Promise<void> {
    return removeIfExists(this.dir);
  }
}
