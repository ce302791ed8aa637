import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { WASM_ASSETS } from '../handlers/pod/wasm.js';
import { bundleKey, forgetBundle, recordBundle, reusableBundle } from './bundle-cache.js';
import { HANDLERS, handlerEntry, packageRoot } from './paths.js';

export interface BundleResult {
  /** Folder holding index.mjs (and its source map): the Lambda asset. */
  readonly dir: string;
  /** Size of the code, without the source map. */
  readonly bytes: number;
}

export type HandlerBundles = Record<(typeof HANDLERS)[number], BundleResult>;

/**
 * Files copied beside a handler's index.mjs (name → package file, resolved from tap's own
 * dependencies): the WebAssembly binaries it reads at run time (src/handlers/pod/wasm.ts).
 */
const ASSETS: Partial<Record<string, Readonly<Record<string, string>>>> = { 'pod-processor': WASM_ASSETS };

/** Every handler's bundle, together: esbuild builds them in parallel; unchanged ones are reused. */
export async function bundleHandlers(outDir: string): Promise<HandlerBundles> {
  const results = await Promise.all(HANDLERS.map((name) => bundleHandler(name, outDir)));
  return Object.fromEntries(HANDLERS.map((name, i) => [name, results[i]!])) as HandlerBundles;
}

/**
 * Bundles one handler into `<outDir>/.bundles/<name>/index.mjs` with esbuild's API, in-process.
 * Output is deterministic for the same sources, so the asset hash (and so "nothing to deploy") is too.
 * Everything is bundled, the AWS SDK included: the runtime's SDK version is not ours to pick, and the
 * local Lambda runner has no SDK beside the code. A bundle whose inputs did not change since it was
 * built into the same folder is kept as it is (bundle-cache.ts).
 */
export async function bundleHandler(name: string, outDir: string): Promise<BundleResult> {
  const dir = join(outDir, '.bundles', name);
  const options = buildOptions(name, dir);
  const assets = ASSETS[name] ?? {};
  // Built before from the same inputs (bundle-cache.ts): the same bytes would come out. The assets'
  // versions are the lockfile's, which the key covers; a deleted one means building again.
  const key = bundleKey({ options: { ...options, assets }, esbuildVersion, root: packageRoot() });
  const kept = reusableBundle(dir, key);
  if (kept !== undefined && Object.keys(assets).every((file) => existsSync(join(dir, file)))) return { dir, bytes: kept };
  forgetBundle(dir);
  mkdirSync(dir, { recursive: true });
  const workingDir = process.cwd();
  const result = await build({ ...options, absWorkingDir: workingDir });
  const resolve = createRequire(import.meta.url).resolve;
  for (const [file, from] of Object.entries(assets)) copyFileSync(resolve(from), join(dir, file));
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
    // Some dependencies are CommonJS and call require() or read __dirname (emscripten glue code does
    // under Node); an ESM bundle has to provide both. `define` renames only free uses of __dirname.
    banner: {
      js: "import { createRequire as __tapCreateRequire } from 'node:module'; const require = __tapCreateRequire(import.meta.url); import { fileURLToPath as __tapFileURLToPath } from 'node:url'; const __tapDirname = __tapFileURLToPath(new URL('.', import.meta.url));",
    },
    define: { __dirname: '__tapDirname' },
  } as const satisfies BuildOptions;
}
