/** The dynalite socket file goes away however the local AWS process ends. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const sockets = (pid: number) => readdirSync(tmpdir()).filter((f) => f.startsWith(`tap-dynalite-${pid}-`));

/** Runs `args` with tsx, waits until it has a dynalite socket, then `end`s it; returns the pid. */
async function runUntilSocket(args: string[], end: (pid: number) => void): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  const deadline = Date.now() + 30_000;
  while (!sockets(pid).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(sockets(pid).length, 'a socket while running').toBe(1);
  end(pid);
  await exited;
  return pid;
}

describe.concurrent('socket cleanup on exit', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes the socket on ${signal}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tap-exit-'));
      const pid = await runUntilSocket(['src/local/main.ts', '--port', '0', '--data-dir', dataDir], (p) => process.kill(p, signal));
      expect(sockets(pid)).toEqual([]);
      expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    }, 60_000);
  }

  it('removes the socket when the process dies of an uncaught exception', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-exit-'));
    const script = [
      "const { LocalAws } = await import('./src/local/server.ts');",
      "const { ALL_SERVICES } = await import('./src/local/services/index.ts');",
      `await new LocalAws({ dataDir: ${JSON.stringify(dataDir)}, port: 0, services: ALL_SERVICES }).start();`,
      "setTimeout(() => { throw new Error('boom'); }, 500);",
    ].join('\n');
    const pid = await runUntilSocket(['--input-type=module', '-e', script], () => {});
    expect(sockets(pid)).toEqual([]);
  }, 60_000);
});
