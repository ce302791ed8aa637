/**
 * A local AWS that is busy (its process lives, its health check times out, as on a loaded machine) is
 * waited for, not replaced: a second server on the same data dir would stop on its locked stores and
 * leave the first running with nobody to find it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocal, stopLocal } from '../../src/ops/local.js';
import { recordingReporter } from '../helpers/ops-pipeline.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tap-local-busy-'));
const standIn = mkdtempSync(join(tmpdir(), 'tap-local-stand-in-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(standIn, { recursive: true, force: true });
});

/** Stands in for a busy server: records itself in server.json as tap local does, answers health only after `delayMs`. */
const BUSY = `
const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];
const delayMs = Number(process.argv[process.argv.indexOf('--delay') + 1]);
const server = http.createServer((req, res) => setTimeout(() => res.end(JSON.stringify({ services: ['s3'] })), delayMs));
server.listen(0, '127.0.0.1', () => {
  if (process.argv.includes('--unrecorded')) return;
  const port = server.address().port;
  const info = { pid: process.pid, port, endpoint: 'http://127.0.0.1:' + port, dataDir, startedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify(info));
});`;

/** Runs the stand-in as local/main.js, the path a real server's command line has. */
function spawnStandIn(...args: string[]) {
  const entry = join(standIn, 'local', 'main.js');
  if (!existsSync(entry)) {
    mkdirSync(join(standIn, 'local'), { recursive: true });
    writeFileSync(entry, BUSY);
  }
  return spawn(process.execPath, [entry, '--data-dir', dataDir, ...args], { stdio: 'ignore' });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('starting the local AWS when one runs but is busy', () => {
  it('waits for the running one to answer and starts no second server', async () => {
    // arrange: health answers take 3 s, longer than the 2 s a status check waits
    const busy = spawnStandIn('--delay', '3000');
    try {
      for (let i = 0; i < 100 && !existsSync(join(dataDir, 'server.json')); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(join(dataDir, 'server.json')), 'the stand-in did not start').toBe(true);
      const reporter = recordingReporter();

      // act
      const result = await startLocal({ dataDir, port: 0 }, reporter);

      // assert: the busy one is used; nothing was spawned (a spawn opens server.log first)
      expect(result).toMatchObject({ alreadyRunning: true, info: { pid: busy.pid } });
      expect(existsSync(join(dataDir, 'server.log'))).toBe(false);
      expect(reporter.events).toContainEqual(expect.objectContaining({ type: 'step', message: expect.stringMatching(/^Waiting for the local AWS at .* to answer$/) }));
    } finally {
      busy.kill();
    }
  }, 60_000);
});

describe('tap local stop', () => {
  beforeEach(() => rmSync(join(dataDir, 'server.json'), { force: true }));

  it('stops a server that runs on the data dir but has not recorded itself yet', async () => {
    // arrange: as when the command that started it was killed before the server wrote server.json
    const server = spawnStandIn('--delay', '0', '--unrecorded');
    const exited = new Promise((resolve) => server.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);

    // act
    const result = await stopLocal(dataDir);

    // assert
    expect(result).toEqual({ stopped: true, pid: server.pid });
    await exited;
    expect(alive(server.pid!)).toBe(false);
  }, 30_000);

  it('does not kill a recorded process that is not a local AWS of this data dir', async () => {
    // arrange: server.json names a live process that is something else (a reused pid)
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ pid: other.pid, port: 1, endpoint: 'http://127.0.0.1:1', dataDir, startedAt: new Date().toISOString() }));

      // act
      const result = await stopLocal(dataDir);

      // assert: left alone, and the stale record is gone
      expect(result).toEqual({ stopped: false });
      expect(alive(other.pid!)).toBe(true);
      expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    } finally {
      other.kill();
    }
  }, 30_000);
});
