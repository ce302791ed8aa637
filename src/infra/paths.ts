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

/** Handler sources are bundled from TypeScript at synth time, so they ship as source, not as dist. */
export function handlerEntry(name: string): string {
  return join(packageRoot(), 'src', 'handlers', `${name}.ts`);
}
