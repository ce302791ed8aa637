import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TAP_BIN = fileURLToPath(new URL('../../bin/tap.js', import.meta.url));

export interface TapRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `bin/tap` as a user would: a child process, no TTY, CI-like environment.
 * AWS credentials (variables and files) are kept out so nothing can reach a real account by accident.
 */
export function runTap(args: string[], options: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Promise<TapRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('AWS_') && k !== 'TAP_ENV') env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? TAP_BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      // No shared config or credentials files either: a developer's own AWS setup must not leak in.
      env: { ...env, NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent/tap-test/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/tap-test/credentials', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The real binary in a scratch folder of its own, on a local AWS of its own (data dir in that folder, a free port). */
export interface TapWorkspace {
  readonly cwd: string;
  /** TAP_LOCAL_DIR and TAP_LOCAL_PORT for every run. */
  readonly env: Record<string, string>;
  /** Runs `tap ARGS` there, with `--env <env>` appended when the workspace has one. */
  tap(...args: string[]): Promise<TapRun>;
  /** Stops the workspace's local AWS (for afterAll). */
  stop(): Promise<TapRun>;
}

/** `bin`: another copy of the binary (test/helpers/workspace.ts), or a function giving it once it is made. */
export function tapWorkspace(name: string, options: { env?: string; bin?: string | (() => string) } = {}): TapWorkspace {
  const cwd = mkdtempSync(join(tmpdir(), `tap-e2e-${name}-`));
  const env = { TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: '0' };
  const bin = () => (typeof options.bin === 'function' ? options.bin() : options.bin);
  const run = (args: string[]) => runTap(args, { cwd, env, ...(options.bin && { bin: bin() }) });
  return {
    cwd,
    env,
    tap: (...args) => run(options.env ? [...args, '--env', options.env] : args),
    stop: () => run(['local', 'stop']),
  };
}

/** A run's stdout as JSON; the error shows the exit code, stdout and stderr when it is not JSON. */
export function parsed(r: TapRun): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
