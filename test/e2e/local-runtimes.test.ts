/**
 * `tap local runtimes` and a function on its runtime's Node through the real binary: the background
 * local AWS (started by bin/tap) runs a nodejs24.x function on Node 24 from the shared runtime cache.
 */
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeCache } from '../../src/local/runtimes/cache.js';
import { runTap } from '../helpers/cli.js';
import { createFunction, text } from '../helpers/lambda.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tap-e2e-runtimes-'));
const tap = (args: string[], env: Record<string, string> = {}) => runTap(['local', ...args, '--data-dir', dataDir], { env });
const shared = new RuntimeCache(process.env.TAP_RUNTIMES_DIR!);

afterAll(async () => {
  await tap(['stop']);
});

describe('local runtimes (the real binary)', () => {
  it('a nodejs24.x function runs on Node 24; runtimes lists it in use; prune removes only unused ones', async () => {
    // Arrange: the local AWS in the background, a function that needs Node 22+.
    const started = await tap(['start', '--port', '0', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { endpoint } = JSON.parse(started.stdout).info;
    const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await createFunction(lambda, 'on24', {
      'index.mjs': 'export const handler = async () => { const { promise, resolve } = Promise.withResolvers(); resolve(process.version); return { version: await promise }; };',
    }, { Runtime: 'nodejs24.x', Handler: 'index.handler' });

    // Act
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'on24', Payload: '{}' }));
    lambda.destroy();
    const listed = await tap(['runtimes', '--json']);

    // Assert
    expect(out.FunctionError, text(out.Payload)).toBeUndefined();
    expect(JSON.parse(text(out.Payload)).version).toMatch(/^v24\./);
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout);
    expect(list.used).toEqual(['nodejs24.x']);
    expect(list.installed.map((r: { runtime: string }) => r.runtime)).toContain('nodejs24.x');

    // prune, on a runtimes dir of its own: entries pointing at the shared binaries (nothing is copied).
    const own = mkdtempSync(join(tmpdir(), 'tap-e2e-runtimes-own-'));
    for (const runtime of ['nodejs22.x', 'nodejs24.x']) {
      const real = shared.find(runtime)!;
      mkdirSync(join(own, runtime, 'bin'), { recursive: true });
      symlinkSync(real.binary, join(own, runtime, 'bin', 'node'));
      writeFileSync(join(own, runtime, 'runtime.json'), JSON.stringify({ runtime, nodeVersion: real.nodeVersion, package: real.package, installedAt: real.installedAt }));
    }
    const human = await tap(['runtimes'], { TAP_RUNTIMES_DIR: own });
    expect(human.stdout).toMatch(/nodejs22\.x\s+Node v22\.\S+\s+.*unused/);
    expect(human.stdout).toMatch(/nodejs24\.x\s+Node v24\.\S+\s+.*in use/);
    const pruned = await tap(['runtimes', 'prune', '--json'], { TAP_RUNTIMES_DIR: own });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ removed: [{ runtime: 'nodejs22.x' }], kept: ['nodejs24.x'] });
    expect(readdirSync(own)).toEqual(['nodejs24.x']);
  });

  it('install of a runtime that is not Node.js: a clear error, no stack trace', async () => {
    const r = await tap(['runtimes', 'install', 'python3.12']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('python3.12: tap local runs Node.js runtimes only; name one like nodejs24.x.');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
