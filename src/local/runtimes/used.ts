/**
 * The runtimes the functions of a data dir name, read from the Lambda store's files (written
 * atomically, so reading them while the local AWS runs is safe): what `tap local runtimes prune` keeps.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function usedRuntimes(dataDir: string): Promise<Set<string>> {
  const used = new Set<string>();
  const root = join(dataDir, 'lambda', 'functions');
  for (const region of await readdir(root).catch(() => [] as string[])) {
    for (const file of await readdir(join(root, region)).catch(() => [] as string[])) {
      if (!file.endsWith('.json')) continue;
      try {
        const fn = JSON.parse(await readFile(join(root, region, file), 'utf8')) as { config?: { Runtime?: unknown } };
        if (typeof fn.config?.Runtime === 'string') used.add(fn.config.Runtime);
      } catch {
        // A damaged function file is the local AWS's to report when it loads.
      }
    }
  }
  return used;
}
