/**
 * A temporary project for a bench that drives the real `bin/tap` against its own local AWS (free
 * port, own data dir), with no AWS credentials in sight, as a newcomer's machine has.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// TAP_BENCH_BIN: another build of tap (an older commit's, for a before/after).
const bin = process.env['TAP_BENCH_BIN'] ?? join(import.meta.dirname, '..', 'bin', 'tap.js');

export interface BenchWorkspace {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs tap; its stdout, or an error with its stderr when it exits non-zero. */
  tap(...args: string[]): string;
  /** Stops the local AWS and removes the folder. */
  close(): void;
}

export function benchWorkspace(name: string): BenchWorkspace {
  const dir = mkdtempSync(join(tmpdir(), `tap-bench-${name}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, TAP_LOCAL_DIR: join(dir, 'local'), TAP_LOCAL_PORT: '0', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
  return {
    dir,
    env,
    tap: (...args) => {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tap ${args.join(' ')} failed:\n${r.stderr}`);
      return r.stdout;
    },
    close: () => {
      spawnSync(process.execPath, [bin, 'local', 'stop'], { cwd: dir, env });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
