import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry } from './paths.js';

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
 * local Lambda runner has no SDK beside the code.
 */
export interface BundleOptions {
  /**
   * Files copied beside index.mjs (name → package file, resolved from tap's own dependencies): the
   * WebAssembly binaries the handler reads at run time (src/handlers/pod/wasm.ts).
   */
  readonly assets?: Readonly<Record<string, string>>;
}

export async function bundleHandler(name: string, outDir: string, options: BundleOptions = {}): Promise<BundleResult> {
  const dir = join(outDir, '.bundles', name);
  mkdirSync(dir, { recursive: true });
  const result = await build({
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
  });
  const resolve = createRequire(import.meta.url).resolve;
  for (const [file, from] of Object.entries(options.assets ?? {})) copyFileSync(resolve(from), join(dir, file));
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, o]) => sum + o.bytes, 0);
  return { dir, bytes };
}
