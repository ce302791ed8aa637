import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder with package.json), whether running from src/ (tests) or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tap: cannot find its own package.json');
    dir = parent;
  }
  return dir;
}

/** The handlers bundled at synth time, by name (src/handlers/<name>.ts): bundle.ts builds them, the fingerprint reads them. */
export const HANDLERS = ['processor', 'api', 'notifier', 'pod-processor', 'big-file'] as const;

/** The lockfile that pins the packages under `root` (npm's own copy in node_modules when there is no package-lock.json). */
export function lockfilePath(root: string): string | undefined {
  return [join(root, 'package-lock.json'), join(root, 'node_modules', '.package-lock.json')].find(existsSync);
}

/** Handler sources are bundled from TypeScript at synth time, so they ship as source, not as dist. */
export function handlerEntry(name: string): string {
  return join(packageRoot(), 'src', 'handlers', `${name}.ts`);
}
