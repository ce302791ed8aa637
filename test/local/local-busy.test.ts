/**
 * A local AWS that is busy (its process lives, its health check times out, as on a loaded machine) is
 * waited for, not replaced: a second server on the same data dir would stop on its locked stores and
 * leave the first running with nobody to find it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../src/ops/local.js';
import { recordingReporter } from '../helpers/ops-pipeline.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tap-local-busy-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Stands in for a busy server: records itself in server.json as tap local does, answers health only after `delayMs`. */
const BUSY = `
const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];
const delayMs = Number(process.argv[process.argv.indexOf('--delay') + 1]);
const server = http.createServer((req, res) => setTimeout(() => res.end(JSON.stringify({ services: ['s3'] })), delayMs));
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const info = { pid: process.pid, port, endpoint: 'http://127.0.0.1:' + port, dataDir, startedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify(info));
});`;

describe('starting the local AWS when one runs but is busy', () => {
  it('waits for the running one to answer and starts no second server', async () => {
    // arrange: health answers take 3 s, longer than the 2 s a status check waits
    const busy = spawn(process.execPath, ['-e', BUSY, '--', '--data-dir', dataDir, '--delay', '3000'], { stdio: 'ignore' });
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
