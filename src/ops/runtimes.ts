/**
 * `tap local runtimes`: the Node.js builds local Lambda functions run on (src/local/runtimes), listed,
 * installed ahead of time, pruned. Works on the data dir whether or not the local AWS runs (installs
 * and the running server coordinate through the cache's lock).
 */
import { RuntimeCache, runtimesDir, type InstalledRuntime, type ListedRuntime } from '../local/runtimes/cache.js';
import { nodeMajor } from '../local/runtimes/node-package.js';
import { usedRuntimes } from '../local/runtimes/used.js';
import { TapError, UserError } from './errors.js';
import { step, type Reporter } from './reporter.js';

export interface RuntimesOptions {
  readonly dataDir: string;
  /** The process's environment (TAP_RUNTIMES_DIR; npm_config_* for npm), passed in by the CLI. */
  readonly env: Record<string, string | undefined>;
}

export interface RuntimesList {
  readonly dir: string;
  readonly installed: readonly ListedRuntime[];
  /** Runtimes the local AWS's functions name. */
  readonly used: readonly string[];
}

export async function listRuntimes(options: RuntimesOptions): Promise<RuntimesList> {
  const cache = new RuntimeCache(runtimesDir(options.dataDir, options.env));
  return { dir: cache.dir, installed: await cache.list(), used: [...(await usedRuntimes(options.dataDir))].sort() };
}

/**
 * Installs the named runtimes; none named: those the local AWS's functions use, and the newest Node.js
 * runtime (the one tap's stack deploys).
 */
export async function installRuntimes(options: RuntimesOptions & { readonly runtimes?: readonly string[] }, reporter: Reporter): Promise<InstalledRuntime[]> {
  let wanted = [...(options.runtimes ?? [])];
  if (wanted.length === 0) {
    const { newestNodeRuntime } = await import('../infra/runtime.js');
    wanted = [...new Set([...(await usedRuntimes(options.dataDir)), newestNodeRuntime().name])].filter((r) => nodeMajor(r) !== undefined).sort();
  }
  const bad = wanted.filter((r) => nodeMajor(r) === undefined);
  if (bad.length) throw new UserError(`${bad.join(', ')}: tap local runs Node.js runtimes only; name one like nodejs24.x.`);
  const cache = new RuntimeCache(runtimesDir(options.dataDir, options.env));
  const out: InstalledRuntime[] = [];
  for (const runtime of wanted) {
    const present = cache.find(runtime);
    if (present) {
      reporter.emit({ type: 'info', code: 'TAP_RUNTIME_PRESENT', message: `${runtime}: Node ${present.nodeVersion} is installed already` });
      out.push(present);
      continue;
    }
    const installed = await step(reporter, 'TAP_RUNTIME_INSTALL', `Installing Node ${nodeMajor(runtime)} for ${runtime} (npm, about 50 MB to download)`, () =>
      cache.install(runtime, { env: options.env as NodeJS.ProcessEnv }).catch((error: unknown) => {
        throw new TapError(`Could not install ${runtime}: ${(error as Error).message}. Check that npm can reach its registry (npm ping).`);
      }),
    );
    out.push(installed);
  }
  return out;
}

/** Removes installed runtimes no function of the local AWS uses. */
export async function pruneRuntimes(options: RuntimesOptions): Promise<{ readonly removed: ListedRuntime[]; readonly kept: string[] }> {
  const used = await usedRuntimes(options.dataDir);
  const cache = new RuntimeCache(runtimesDir(options.dataDir, options.env));
  const removed = await cache.prune(used);
  return { removed, kept: (await cache.list()).map((r) => r.runtime) };
}
