/**
 * The fingerprint of everything that shapes a synthesized template: the infra code that runs the synth
 * and the handler sources esbuild bundles (each with every local module it imports), the lockfile
 * (dependency versions: aws-cdk-lib decides the template, bundled packages decide the code), tap's
 * version, the environment name, the deploy settings, and the CDK_* environment variables aws-cdk-lib
 * reads (CDK_CONTEXT_JSON and the like; tap's own code reads none during a synth).
 *
 * Contents are hashed, never modification times, so a `touch` or a fresh checkout changes nothing,
 * and files outside that import graph (README, tests) are not part of it. The source tree is a few
 * dozen small files and the lockfile ~130 KB: hashing takes a few milliseconds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANDLERS, lockfilePath, packageRoot } from '../infra/paths.js';
import type { DeploySettings } from './settings.js';

export interface FingerprintInputs {
  readonly env: string;
  readonly settings: DeploySettings;
  /** The environment variables of the process (the CLI passes process.env; ops never read it). */
  readonly variables: Record<string, string | undefined>;
  /** Where tap's package.json and lockfile are; by default the package this module belongs to. */
  readonly root?: string;
  /** The synth's entry modules; by default tap's infra (as it runs: src/ or dist/) and handler sources. */
  readonly entries?: readonly string[];
}

export interface Fingerprint {
  /** sha256, hex. */
  readonly digest: string;
  /** The files that went into it, relative to the root (for tests and --debug). */
  readonly files: readonly string[];
}

export function fingerprint(inputs: FingerprintInputs): Fingerprint {
  const root = inputs.root ?? packageRoot();
  const entries = inputs.entries ?? defaultEntries(root);
  const hash = createHash('sha256');
  const files = importGraph(entries);
  const shown: string[] = [];
  for (const file of files) {
    const name = relative(root, file);
    shown.push(name);
    hash.update(`file\0${name}\0`).update(readFileSync(file)).update('\0');
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
  const lockfile = lockfilePath(root);
  if (lockfile) hash.update('lockfile\0').update(readFileSync(lockfile)).update('\0');
  const variables = Object.entries(inputs.variables)
    .filter(([name, value]) => name.startsWith('CDK_') && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const settings = Object.entries(inputs.settings)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  hash.update(JSON.stringify({ tap: `${pkg.name}@${pkg.version}`, env: inputs.env, settings, variables }));
  return { digest: hash.digest('hex'), files: shown };
}

/** tap's infra entry as it runs now (dist/infra/app.js, or src/infra/app.ts under tsx) and the handler sources. */
function defaultEntries(root: string): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const app = [join(here, '..', 'infra', 'app.js'), join(here, '..', 'infra', 'app.ts')].find(existsSync);
  return [...(app ? [app] : []), ...HANDLERS.map((name) => join(root, 'src', 'handlers', `${name}.ts`))];
}

/** Static and dynamic relative imports: `from './x.js'`, `import './x.js'`, `import('./x.js')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The entries and every local module they import, transitively, sorted. Packages are the lockfile's part. */
export function importGraph(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries.map((e) => resolve(e))];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = sourceOf(resolve(dirname(file), match[1]!));
      if (target) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** `./x.js` is `./x.js` when running compiled code, `./x.ts` in the sources. */
function sourceOf(path: string): string | undefined {
  const candidates = [path, path.replace(/\.js$/, '.ts'), path.replace(/\.mjs$/, '.mts'), `${path}.ts`];
  return candidates.find((c) => existsSync(c) && !c.endsWith('.d.ts'));
}
