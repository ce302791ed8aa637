/**
 * Installs one Node.js platform package with the user's own `npm` (so their registry, proxy, auth and
 * cache apply) into a private folder, and checks that the `node` in it runs and is the major asked for.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binaryIn, majorOf } from './node-package.js';

/** An install that has not finished by then is given up (a stuck proxy must not hang invocations forever). */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface NpmInstallOptions {
  /** Lines worth showing while it runs (npm's http fetches, its errors). */
  readonly onLine?: (line: string) => void;
  /** The environment npm runs with: the user's, so npm_config_* variables apply. */
  readonly env?: NodeJS.ProcessEnv;
  /** The npm command; `npm` from PATH unless TAP_NPM names another. */
  readonly npm?: string;
}

export class InstallError extends Error {
  override readonly name = 'InstallError';
}

/** Runs `npm install <pkg>@<major>` into `prefix`; answers the unpacked package's folder and its Node version. */
export async function npmInstall(pkg: string, major: number, prefix: string, options: NpmInstallOptions = {}): Promise<{ folder: string; version: string }> {
  const env = options.env ?? process.env;
  const npm = options.npm ?? env.TAP_NPM ?? 'npm';
  const args = [
    'install', '--prefix', prefix, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund',
    '--no-progress', '--loglevel', 'http', `${pkg}@${major}`,
  ];
  const output: string[] = [];
  const code = await new Promise<number | string>((resolve) => {
    // npm on Windows is npm.cmd, which only a shell runs.
    const child = spawn(npm, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', windowsHide: true });
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const text = line.trim();
        if (!text) continue;
        output.push(text);
        if (output.length > 40) output.shift();
        if (/^npm http/.test(text) || telling(text)) options.onLine?.(text);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(e.code === 'ENOENT' ? `${npm} was not found on PATH` : e.message);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve(signal ? `npm was stopped (${signal}${signal === 'SIGKILL' ? `, after ${INSTALL_TIMEOUT_MS / 60_000} minutes` : ''})` : (status ?? 1));
    });
  });
  if (code !== 0) {
    const why = typeof code === 'string' ? code : `npm install ${pkg}@${major} failed (exit code ${code})`;
    const errors = output.filter(telling).slice(0, 3).join('; ');
    throw new InstallError(errors ? `${why}: ${errors}` : why);
  }
  const folder = join(prefix, 'node_modules', pkg);
  const binary = binaryIn(folder);
  if (!existsSync(binary)) throw new InstallError(`npm installed ${pkg}@${major}, but it has no ${binary}`);
  const version = await nodeVersion(binary);
  if (majorOf(version) !== major) throw new InstallError(`${pkg}@${major} gave Node ${version}, not Node ${major}`);
  return { folder, version };
}

/** An npm error line that says something (not a stack frame, a blank, or where the debug log is). */
function telling(line: string): boolean {
  return /^npm (error|ERR!)/.test(line) && !/^npm (error|ERR!)\s*$|\sat \S.*[(:]\d|complete log|behind a proxy|npm help/.test(line);
}

/** `v24.22.3`: what the binary says it is (it must run on this machine to say it). */
export async function nodeVersion(binary: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(binary, ['--version'], { timeout: 30_000, env: {} });
    return stdout.trim();
  } catch (error) {
    throw new InstallError(`${binary} does not run on this machine: ${(error as Error).message}`);
  }
}
