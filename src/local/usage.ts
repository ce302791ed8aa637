/**
 * What the local AWS takes: bytes on disk per service folder of the data dir, and this process's
 * memory. `GET /_tap/usage` answers with it; `tap local status` shows it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Usage {
  readonly dataDir: string;
  /** Bytes per top-level folder of the data dir (one per service), and `total` over everything. */
  readonly disk: Record<string, number> & { total: number };
  /** Of the server process (Lambda workers are processes of their own). */
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly external: number };
}

export async function usage(dataDir: string): Promise<Usage> {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { dataDir, disk: await diskUsage(dataDir), memory: { rss, heapUsed, external } };
}

/** Bytes per top-level folder of the data dir, and `total` (which also counts its loose files). */
export async function diskUsage(dataDir: string): Promise<Usage['disk']> {
  const disk: Record<string, number> & { total: number } = { total: 0 };
  for (const entry of await readdir(dataDir, { withFileTypes: true }).catch(() => [])) {
    const bytes = await sizeOf(join(dataDir, entry.name));
    if (entry.isDirectory()) disk[entry.name] = bytes;
    disk.total += bytes;
  }
  return disk;
}

/** Apparent size of a file, or of everything under a folder (links not followed; vanished files count 0). */
export async function sizeOf(path: string): Promise<number> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [])) total += await sizeOf(join(path, name));
  return total;
}
