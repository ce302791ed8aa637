import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { bundleKey, forgetBundle, recordBundle, reusableBundle } from './bundle-cache.js';
import { handlerEntry, packageRoot } from './paths.js';

export interface BundleResult {
  /** Folder holding index.mjs (and its source map): the Lambda asset. */
  readonly dir: string;
  /** Size of the code, without the source map. */
  readonly bytes: number;
}

/**
 * Bundles one handler into `<outDir>/.bundles/<name>/index.mjs` with esbuild's API, in-process.
 * Output is deterministic for the same sources, so the asset hash (and so "nothing to deploy") is too.
 * Everything is bundled, the AWS SDK included: the runtime's SDK version is not ours to pick, and the
 * local Lambda runner has no SDK beside the code. A bundle whose inputs did not change since it was
 * built into the same folder is kept as it is (bundle-cache.ts).
 */
/** The handlers bundled at synth time, by name (src/handlers/<name>.ts). */
export const HANDLERS = ['processor', 'api', 'notifier', 'pod-processor'] as const;
export type HandlerBundles = Record<(typeof HANDLERS)[number], BundleResult>;

/** Every handler's bundle, together: esbuild builds them in parallel; unchanged ones are reused. */
export async function bundleHandlers(outDir: string): Promise<HandlerBundles> {
  const results = await Promise.all(HANDLERS.map((name) => bundleHandler(name, outDir)));
  return Object.fromEntries(HANDLERS.map((name, i) => [name, results[i]!])) as HandlerBundles;
}

export async function bundleHandler(name: string, outDir: string): Promise<BundleResult> {
  const dir = join(outDir, '.bundles', name);
  const options = buildOptions(name, dir);
  // Built before from the same inputs (bundle-cache.ts): the same bytes would come out.
  const key = bundleKey({ options, esbuildVersion, root: packageRoot() });
  const kept = reusableBundle(dir, key);
  if (kept !== undefined) return { dir, bytes: kept };
  forgetBundle(dir);
  mkdirSync(dir, { recursive: true });
  const workingDir = process.cwd();
  const result = await build({ ...options, absWorkingDir: workingDir });
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, o]) => sum + o.bytes, 0);
  recordBundle(dir, key, result.metafile, workingDir, bytes);
  return { dir, bytes };
}

function buildOptions(name: string, dir: string) {
  return {
    entryPoints: [handlerEntry(name)],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Prefer ESM builds (the AWS SDK ships both): smaller, and no require() left to shim.
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    // Some dependencies are CommonJS and call require(); an ESM bundle has to provide it.
    banner: {
      js: "import { createRequire as __tapCreateRequire } from 'node:module'; const require = __tapCreateRequire(import.meta.url);",
    },
  } as const satisfies BuildOptions;
}
