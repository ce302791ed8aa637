import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A copy of the installed tap (bin, dist, src, package.json; node_modules linked) that a test may
 * edit as a user edits their checkout: change the handler's code, or break the stack definition.
 */
export interface Workspace {
  readonly root: string;
  readonly bin: string;
  /** Rewrites a file of the copy, e.g. 'src/handlers/processor.ts' or 'dist/infra/processor.js'. */
  edit(path: string, change: (text: string) => string): void;
  restore(path: string): void;
}

export function copyOfTap(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'tap-copy-'));
  for (const entry of ['bin', 'dist', 'src', 'package.json']) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    bin: join(root, 'bin', 'tap.js'),
    edit(path, change) {
      const file = join(root, path);
      const before = readFileSync(file, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${path} changed nothing`);
      writeFileSync(file, after);
    },
    restore(path) {
      cpSync(join(ROOT, path), join(root, path));
    },
  };
}
