/**
 * The data dir as a whole: its layout version, its permissions, and the damaged files moved aside.
 *
 * Layout: `<dataDir>/layout.json` (this version), `server.json` (the running server), `damaged/`
 * (files moved aside), `old-layout-<time>/` (a previous layout's data, moved aside whole), and one
 * folder per service. Only fixed names live at the top; every user-chosen name is below a service
 * folder and encoded by names.ts, so no name can reach tap's own files.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DIR_MODE, writeFileAtomicSync } from './storage.js';

export const LAYOUT_VERSION = 2;
const LAYOUT_FILE = 'layout.json';
// server.log: tap local start opens it (ops/local.ts) before the server starts. runtimes: the Node.js
// builds Lambda functions run on (runtimes/cache.ts), not state of any layout.
const OWN_ENTRIES = new Set([LAYOUT_FILE, 'server.json', 'server.log', 'damaged', 'runtimes']);

/** One damaged file (or folder) found while loading, moved aside, and what that cost. */
export interface DamageReport {
  /** Relative to the data dir, where it was. */
  readonly file: string;
  /** Relative to the data dir, where it is now. */
  readonly movedTo: string;
  /** What the local AWS no longer has because of it. */
  readonly lost: string;
  readonly error: string;
  readonly at: string;
}

export class DataDir {
  readonly root: string;
  readonly damaged: DamageReport[] = [];
  readonly notices: string[] = [];
  private readonly stamp = new Date().toISOString().replace(/[:.]/g, '-');

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * Creates the data dir 0700 (and tightens an existing one), and moves a previous layout's state
   * aside: its names were encoded differently, so reading it could mix two queues or lose a name.
   */
  prepare(): void {
    mkdirSync(this.root, { recursive: true, mode: DIR_MODE });
    chmodSync(this.root, DIR_MODE);
    const layout = join(this.root, LAYOUT_FILE);
    const version = existsSync(layout) ? readVersion(layout) : undefined;
    if (version === LAYOUT_VERSION) return;
    const old = readdirSync(this.root).filter((e) => !OWN_ENTRIES.has(e) && !e.startsWith('old-layout-'));
    if (old.length > 0) {
      const aside = `old-layout-${this.stamp}`;
      mkdirSync(join(this.root, aside), { mode: DIR_MODE });
      for (const entry of old) renameSync(join(this.root, entry), join(this.root, aside, entry));
      this.notice(
        `state from an older tap (layout ${version ?? 1}) was moved to ${aside}/ and is not loaded; ` +
          `recreate what you need (tap deploy), then delete that folder`,
      );
    }
    writeFileAtomicSync(layout, JSON.stringify({ version: LAYOUT_VERSION }));
  }

  notice(text: string): void {
    this.notices.push(text);
    console.error(`[tap local] ${text}`);
  }

  /**
   * Moves a damaged file or folder to `damaged/<start time>/<same path>` and records what was lost.
   * With `copy`, it stays in place (a journal that replay continues from) and a copy is kept.
   */
  moveAside(path: string, lost: string, error: unknown, options: { copy?: boolean } = {}): DamageReport {
    const file = relative(this.root, path);
    const movedTo = join('damaged', this.stamp, file);
    const target = join(this.root, movedTo);
    mkdirSync(dirname(target), { recursive: true, mode: DIR_MODE });
    if (options.copy) cpSync(path, target, { recursive: true });
    else renameSync(path, target);
    const report: DamageReport = {
      file,
      movedTo,
      lost,
      error: (error as Error)?.message ?? String(error),
      at: new Date().toISOString(),
    };
    this.damaged.push(report);
    console.error(`[tap local] damaged state: ${file} (${report.error}); moved to ${movedTo}; lost: ${lost}`);
    return report;
  }
}

function readVersion(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: number }).version;
  } catch {
    return undefined;
  }
}

/**
 * The data dirs of the local AWSs in this process (tests run several). Stores know file paths, not
 * their server; a damaged file finds the data dir it belongs to here.
 */
const open = new Map<string, DataDir>();

export function registerDataDir(dir: DataDir): void {
  open.set(dir.root, dir);
}

export function unregisterDataDir(dir: DataDir): void {
  if (open.get(dir.root) === dir) open.delete(dir.root);
}

export function dataDirOf(path: string): DataDir | undefined {
  const full = resolve(path);
  let best: DataDir | undefined;
  for (const dir of open.values()) {
    if (full.startsWith(dir.root + sep) && (!best || dir.root.length > best.root.length)) best = dir;
  }
  return best;
}

/**
 * A file that does not parse: moved aside and reported when it belongs to a running local AWS,
 * otherwise an error that names it.
 */
export function damaged(path: string, lost: string, error: unknown, options: { moveAside?: string; copy?: boolean } = {}): void {
  const dir = dataDirOf(path);
  if (!dir) throw new Error(`damaged state file ${path}: ${(error as Error)?.message ?? String(error)}`);
  dir.moveAside(options.moveAside ?? path, lost, error, { copy: options.copy });
}
