/**
 * Which `node` runs a function: the Node.js major its runtime names (`nodejs24.x` → Node 24), from
 * the runtime cache, installed on first need. This machine's own Node runs it when that is the same
 * major (nothing to download), and as the fallback when the install fails (offline, no npm, an
 * unsupported platform): one warning in the local AWS's log, a line in every invocation's log, and no
 * new attempt for a while, so invocations do not each wait for a registry that is not there.
 */
import { existsSync } from 'node:fs';
import { RuntimeCache, type InstalledRuntime } from './cache.js';
import { hostPackage, majorOf, nodeMajor } from './node-package.js';

export interface NodeChoice {
  readonly execPath: string;
  /** `v24.22.3` */
  readonly version: string;
  /** Set when this is the fallback: the line every invocation's log gets. */
  readonly fallback?: string;
}

/** How long a failed install is remembered before an invocation tries again. */
export const RETRY_AFTER_MS = 10 * 60_000;

export interface ResolverOptions {
  /** Where progress and the fallback warning go (the local AWS's log). */
  readonly log?: (line: string) => void;
  readonly retryAfterMs?: number;
}

export class NodeResolver {
  private readonly installing = new Map<string, Promise<InstalledRuntime>>();
  private readonly failed = new Map<string, { at: number; choice: NodeChoice }>();
  /** Found installed before: each invocation then costs one stat (a prune may have removed it since). */
  private readonly known = new Map<string, NodeChoice>();
  private readonly log: (line: string) => void;

  constructor(
    readonly cache: RuntimeCache,
    private readonly options: ResolverOptions = {},
  ) {
    this.log = options.log ?? ((line) => console.error(`[tap local] ${line}`));
  }

  async nodeFor(runtime: string): Promise<NodeChoice> {
    const host = { execPath: process.execPath, version: process.version };
    const major = nodeMajor(runtime);
    if (major === undefined || major === majorOf(process.version)) return host;
    const known = this.known.get(runtime);
    if (known && existsSync(known.execPath)) return known;
    const found = this.cache.find(runtime);
    if (found) {
      const choice = { execPath: found.binary, version: found.nodeVersion };
      this.known.set(runtime, choice);
      return choice;
    }
    const failure = this.failed.get(runtime);
    if (failure && Date.now() - failure.at < (this.options.retryAfterMs ?? RETRY_AFTER_MS)) return failure.choice;
    try {
      const installed = await this.install(runtime);
      this.failed.delete(runtime);
      return { execPath: installed.binary, version: installed.nodeVersion };
    } catch (error) {
      const reason = (error as Error).message;
      const choice: NodeChoice = {
        ...host,
        fallback:
          `[tap local] ${runtime} ran on this machine's Node ${process.version}, not Node ${major}: ` +
          `the Node ${major} runtime could not be installed (${reason}).`,
      };
      this.failed.set(runtime, { at: Date.now(), choice });
      this.log(
        `warning: ${runtime} functions run on this machine's Node ${process.version} instead of Node ${major}: ${reason}. ` +
          `Retried in ${Math.round((this.options.retryAfterMs ?? RETRY_AFTER_MS) / 60_000)} min, or now with: tap local runtimes install ${runtime}`,
      );
      return choice;
    }
  }

  /** One install per runtime at a time in this process (the cache's lock covers other processes). */
  install(runtime: string): Promise<InstalledRuntime> {
    let running = this.installing.get(runtime);
    if (!running) {
      running = this.installOnce(runtime).finally(() => this.installing.delete(runtime));
      this.installing.set(runtime, running);
    }
    return running;
  }

  private async installOnce(runtime: string): Promise<InstalledRuntime> {
    const major = nodeMajor(runtime);
    const started = Date.now();
    this.log(`lambda: installing Node ${major} for ${runtime} (npm install ${hostPackage() ?? '?'}@${major}, first use; about 50 MB to download) into ${this.cache.dir}`);
    const heartbeat = setInterval(() => this.log(`lambda: still installing Node ${major} for ${runtime} (${Math.round((Date.now() - started) / 1000)} s)`), 10_000);
    heartbeat.unref();
    try {
      const installed = await this.cache.install(runtime, { onLine: (line) => this.log(`lambda: ${line}`) });
      this.log(`lambda: ${runtime} runs on Node ${installed.nodeVersion} (${installed.package}, installed in ${Math.round((Date.now() - started) / 1000)} s)`);
      return installed;
    } finally {
      clearInterval(heartbeat);
    }
  }
}
