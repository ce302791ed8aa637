import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
// Only what finds and talks to a running local AWS; the emulator itself (local/run.js) loads for `serve`.
import { ADMIN_HEADERS } from '../local/admin-headers.js';
import type { DamageReport } from '../local/data-dir.js';
import type { RunningServer } from '../local/run.js';
import { readServerInfo, SERVER_INFO_FILE, type ServerInfo } from '../local/server-info.js';
import type { Usage } from '../local/usage.js';
import { TapError, UserError } from './errors.js';
import type { Reporter } from './reporter.js';

export interface LocalOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Web origins allowed besides loopback ones (checked: scheme://host[:port]). */
  readonly allowedOrigins?: readonly string[];
}

/** Bytes on disk per service folder (and `total`); the server's memory when it is running. */
export type LocalUsage = Pick<Usage, 'disk'> & Partial<Pick<Usage, 'memory'>>;

export type LocalState =
  | {
      readonly running: true;
      readonly info: ServerInfo;
      readonly services: string[];
      /** State files found damaged at start: moved aside (inside the data dir), and what that lost. */
      readonly damaged: readonly DamageReport[];
      /** Other things the server said at start (an older layout moved aside). */
      readonly notices: readonly string[];
      readonly usage?: LocalUsage;
    }
  | { readonly running: false; readonly dataDir: string; readonly stale?: ServerInfo; readonly usage?: LocalUsage };

export const LOG_FILE = 'server.log';

/**
 * Is a local AWS running for this data dir? (server.json names it; its pid and health must agree.)
 * With `usage`, also what it takes: the server answers for itself, a stopped one is measured on disk.
 */
export async function localStatus(dataDir: string, options: { usage?: boolean } = {}): Promise<LocalState> {
  const measured = async (): Promise<{ usage?: LocalUsage }> => (options.usage && existsSync(dataDir) ? { usage: { disk: await (await import('../local/usage.js')).diskUsage(dataDir) } } : {});
  const info = readServerInfo(dataDir);
  if (!info) return { running: false, dataDir, ...(await measured()) };
  if (!pidAlive(info.pid)) return { running: false, dataDir, stale: info, ...(await measured()) };
  // A live server that does not answer at once may be busy, not gone: ensureLocal waits for it
  // (waitForBusy) rather than start a second one on its data dir.
  const health = await fetchHealth(info.endpoint);
  if (!health) return { running: false, dataDir, stale: info, ...(await measured()) };
  const usage = options.usage ? ((await fetchJson(`${info.endpoint}/_tap/usage`, 30_000)) as LocalUsage | undefined) : undefined;
  const found = { damaged: health.damaged ?? [], notices: health.notices ?? [] };
  return { running: true, info, services: health.services, ...found, ...(usage ? { usage: { disk: usage.disk, memory: usage.memory } } : await measured()) };
}

export interface StartResult {
  readonly info: ServerInfo;
  readonly alreadyRunning: boolean;
  readonly logFile: string;
}

/** Starts the local AWS in the background (detached), or finds the one already running. */
export async function startLocal(options: LocalOptions, reporter: Reporter): Promise<StartResult> {
  const logFile = join(options.dataDir, LOG_FILE);
  const state = await localStatus(options.dataDir);
  if (state.running) return { info: state.info, alreadyRunning: true, logFile };
  if (state.stale && servesDataDir(state.stale.pid, options.dataDir)) return waitForBusy(state.stale, logFile, reporter);
  if (state.stale) rmSync(join(options.dataDir, SERVER_INFO_FILE), { force: true });

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 }); // the data dir's modes: src/local/data-dir.ts
  reporter.emit({ type: 'step', code: 'TAP_LOCAL_START', message: `Starting the local AWS on port ${options.port}` });
  const started = performance.now();
  const log = openSync(logFile, 'a', 0o600);
  const [execArgv, entry] = serverEntry();
  const originArgs = (options.allowedOrigins ?? []).flatMap((o) => ['--allow-origin', o]);
  const args = [...execArgv, entry, '--port', String(options.port), '--data-dir', options.dataDir, ...originArgs];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new UserError(`The local AWS did not start (exit code ${exited}). Its log: ${logFile}\n${tail(logFile)}`, 1);
    }
    const info = readServerInfo(options.dataDir);
    if (info && info.pid === child.pid && (await fetchHealth(info.endpoint))) {
      reporter.emit({ type: 'done', code: 'TAP_LOCAL_START', message: `Started the local AWS at ${info.endpoint} (it keeps running; stop it with: tap local stop)`, ms: Math.round(performance.now() - started) });
      return { info, alreadyRunning: false, logFile };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new TapError(`The local AWS did not answer within 20 s. Its log: ${logFile}`);
}

/**
 * The recorded server lives but did not answer in time: it is busy (a loaded machine, a long request),
 * not gone. A second server on the same data dir would find its stores locked and stop, and the first
 * would be left running with nobody to find it: wait for the first instead.
 */
async function waitForBusy(info: ServerInfo, logFile: string, reporter: Reporter): Promise<StartResult> {
  reporter.emit({ type: 'step', code: 'TAP_LOCAL_WAIT_BUSY', message: `Waiting for the local AWS at ${info.endpoint} (pid ${info.pid}) to answer` });
  const started = performance.now();
  const deadline = Date.now() + BUSY_WAIT_MS;
  while (Date.now() < deadline && pidAlive(info.pid)) {
    if (await fetchJson(`${info.endpoint}/_tap/health`, 5000)) {
      reporter.emit({ type: 'done', code: 'TAP_LOCAL_WAIT_BUSY', message: `The local AWS at ${info.endpoint} answered`, ms: Math.round(performance.now() - started) });
      return { info, alreadyRunning: true, logFile };
    }
    await sleep(500);
  }
  reporter.emit({ type: 'fail', code: 'TAP_LOCAL_WAIT_BUSY', message: `The local AWS at ${info.endpoint} did not answer` });
  throw new UserError(
    `The local AWS (pid ${info.pid}) runs for ${info.dataDir} but has not answered at ${info.endpoint} for ${BUSY_WAIT_MS / 1000} s. ` +
      `Its log: ${logFile}. To restart it: tap local stop, then run the command again.`,
    1,
  );
}

const BUSY_WAIT_MS = 30_000;

/**
 * Whether `pid` is a local AWS serving `dataDir` (its command line says so). Where that cannot be
 * read (no /proc), false: as before, a server that does not answer counts as gone.
 */
function servesDataDir(pid: number, dataDir: string): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf('--data-dir');
    return at >= 0 && args[at + 1] === dataDir && args.some((arg) => SERVER_ENTRY.test(arg));
  } catch {
    return false;
  }
}

/** Runs the local AWS in this process (`tap local serve`); the caller stops it. */
export async function serveLocal(options: LocalOptions): Promise<RunningServer> {
  const state = await localStatus(options.dataDir);
  if (state.running) {
    throw new UserError(`A local AWS is already running for ${options.dataDir} at ${state.info.endpoint}. Stop it first: tap local stop`);
  }
  const { startRecordedServer } = await import('../local/run.js');
  return startRecordedServer(options);
}

/**
 * Stops the background local AWS of `dataDir`: SIGTERM, then SIGKILL if it has not gone after 10 s.
 * The recorded process is stopped only if it is that server (where /proc says so), and a server that
 * has not recorded itself yet (one still starting when the command that started it was killed) is
 * found by its command line and stopped too.
 */
export async function stopLocal(dataDir: string): Promise<{ stopped: boolean; pid?: number }> {
  const info = readServerInfo(dataDir);
  const recorded = info && pidAlive(info.pid) && (!procReadable() || servesDataDir(info.pid, dataDir)) ? [info.pid] : [];
  const pids = [...new Set([...recorded, ...serversOf(dataDir)])];
  await Promise.all(pids.map(terminate));
  rmSync(join(dataDir, SERVER_INFO_FILE), { force: true });
  return pids.length ? { stopped: true, pid: pids[0]! } : { stopped: false };
}

async function terminate(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
}

const procReadable = () => existsSync('/proc/self/cmdline');

/** Processes serving `dataDir`, by their command line; none where /proc cannot be read. */
function serversOf(dataDir: string): number[] {
  if (!procReadable()) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number)
    .filter((pid) => servesDataDir(pid, dataDir));
}

/** Drops every bucket, queue, table, function and log: through the running server, or on disk. */
export async function resetLocal(dataDir: string): Promise<{ viaServer: boolean }> {
  const state = await localStatus(dataDir);
  if (state.running) {
    const res = await fetch(`${state.info.endpoint}/_tap/reset`, { method: 'POST', headers: ADMIN_HEADERS });
    if (!res.ok) throw new TapError(`The local AWS refused to reset: ${res.status} ${await res.text()}`);
    return { viaServer: true };
  }
  if (existsSync(dataDir)) {
    for (const entry of readdirSync(dataDir)) {
      // The runtime cache is downloads, not state: a reset keeps it (tap local runtimes prune removes it).
      if (entry !== LOG_FILE && entry !== 'runtimes') rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
  }
  return { viaServer: false };
}

/** The local AWS's entry point (local/main.js, or main.ts from a checkout) as it appears on a command line. */
const SERVER_ENTRY = /[\\/]local[\\/]main\.[jt]s$/;

/** The server's entry: compiled JS from dist/, or the TypeScript source through tsx (tests run src/). */

function serverEntry(): [string[], string] {
  const js = fileURLToPath(new URL('../local/main.js', import.meta.url));
  if (existsSync(js)) return [[], js];
  return [['--import', 'tsx'], fileURLToPath(new URL('../local/main.ts', import.meta.url))];
}

interface Health {
  services: string[];
  damaged?: DamageReport[];
  notices?: string[];
}

async function fetchHealth(endpoint: string, timeoutMs = 2000): Promise<Health | undefined> {
  return (await fetchJson(`${endpoint}/_tap/health`, timeoutMs)) as Health | undefined;
}

/**
 * GET of a JSON answer from the local AWS (plain http on loopback), undefined on any failure. With
 * node:http rather than fetch(): the first fetch() of a process loads undici, some 70 ms of CPU that
 * every command on the local AWS would pay for this one request (bench/status.ts).
 */
async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const { get } = await import('node:http');
  return new Promise((resolve) => {
    const request = get(url, { headers: ADMIN_HEADERS, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', () => resolve(undefined));
      res.on('end', () => {
        try {
          resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? (JSON.parse(body) as unknown) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    const timer = setTimeout(() => request.destroy(), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', () => resolve(undefined));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}
