/**
 * Local functions run on the Node.js major their runtime names, from the runtime cache (filled from
 * the npm registry; the tests share one cache, see vitest.config.ts and helpers/runtimes-setup.ts),
 * and fall back to this machine's Node, saying so, when the runtime cannot be installed.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeCache } from '../../src/local/runtimes/cache.js';
import { nodeVersion } from '../../src/local/runtimes/npm-install.js';
import { checkRuntimes } from '../../src/ops/check-runtimes.js';
import { deprecatedRuntimes } from '../../src/ops/deprecated-runtimes.js';
import type { ProgressEvent } from '../../src/ops/reporter.js';
import { createFunction, eventually, text } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

const HOST_MAJOR = Number(process.versions.node.split('.')[0]);

/** Answers with APIs Node 20 lacks: Promise.withResolvers (Node 22) and process.getBuiltinModule (22.3). */
const NEW_API_HANDLER = `
exports.handler = async (event) => {
  const { promise, resolve } = Promise.withResolvers();
  setTimeout(() => resolve(event.n * 2), 1);
  const os = process.getBuiltinModule('node:os');
  return { doubled: await promise, version: process.version, execEnv: process.env.AWS_EXECUTION_ENV, eol: os.EOL === '\\n',
    sdkWarningOff: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? null, nodeOptions: process.env.NODE_OPTIONS ?? null,
    heapLimitMb: Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576) };
};`;

/** Runs on any Node (the fallback case). */
const PLAIN_HANDLER = `exports.handler = async () => { console.log('hello from', process.version); return { version: process.version }; };`;

const major = (version: string) => Number(/^v(\d+)/.exec(version)?.[1]);

describe('functions run on the Node.js their runtime names', () => {
  let local: LocalHarness;
  let lambda: LambdaClient;

  beforeAll(async () => {
    local = await startLocal();
    lambda = new LambdaClient(local.clientConfig);
  });
  afterAll(async () => {
    lambda?.destroy();
    await local?.stop();
  });

  it.each([['nodejs24.x', 24], ['nodejs22.x', 22]])('%s runs on Node %i and can use APIs Node 20 lacks', async (runtime, wanted) => {
    // Arrange
    const name = `new-api-${wanted}`;
    await createFunction(lambda, name, { 'index.js': NEW_API_HANDLER }, { Runtime: runtime as Runtime, Environment: { Variables: { NODE_OPTIONS: '--no-deprecation' } }, MemorySize: 256 });

    // Act
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ n: 21 }), LogType: 'Tail' }));

    // Assert
    expect(out.FunctionError, text(out.Payload)).toBeUndefined();
    const answer = JSON.parse(text(out.Payload));
    expect(major(answer.version)).toBe(wanted);
    expect(answer).toMatchObject({ doubled: 42, execEnv: `AWS_Lambda_${runtime}`, eol: true, sdkWarningOff: null, nodeOptions: '--no-deprecation' });
    // The runtime's memory setting reaches V8 on that Node too (90% of MemorySize as old space, plus
    // a young generation whose size differs by Node version), not V8's default of gigabytes.
    expect(answer.heapLimitMb).toBeGreaterThan(230);
    expect(answer.heapLimitMb).toBeLessThan(600);
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).not.toContain('ran on this machine');
  });

  it('tap deploy says which runtimes the local AWS will install, and warns of deprecated ones', async () => {
    const fn = (runtime: string) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: runtime } });
    const events: ProgressEvent[] = [];
    const template = { Resources: { A: fn('nodejs22.x'), B: fn('nodejs30.x'), C: fn('nodejs18.x'), D: fn('python3.13') } };

    await checkRuntimes(template, { kind: 'local', endpoint: local.endpoint }, { emit: (e) => events.push(e) });

    const info = events.filter((e) => e.type === 'info').map((e) => ('message' in e ? e.message : ''));
    expect(info).toHaveLength(1);
    expect(info[0]).toContain('Local functions on nodejs18.x, nodejs30.x run on that Node.js major, not installed yet');
    expect(info[0]).toContain(`into ${process.env.TAP_RUNTIMES_DIR}`);
    expect(events.filter((e) => e.type === 'warn')).toEqual([{ type: 'warn', code: 'TAP_DEPLOY_DEPRECATED_RUNTIME', message: expect.stringContaining('C runs on nodejs18.x, which AWS deprecated on 2025-09-01') }]);
    // On AWS (no tap local to ask), only the deprecation warning.
    const onAws: ProgressEvent[] = [];
    await checkRuntimes(template, { kind: 'aws' }, { emit: (e) => onAws.push(e) });
    expect(onAws.map((e) => e.type)).toEqual(['warn']);
  });

  it('a runtime of the same major as this machine runs on this machine\'s own Node', async () => {
    await createFunction(lambda, 'same-major', { 'index.js': PLAIN_HANDLER }, { Runtime: `nodejs${HOST_MAJOR}.x` as Runtime });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'same-major', Payload: '{}' }));
    expect(JSON.parse(text(out.Payload)).version).toBe(process.version);
  });
});

describe('without the runtime cache: this machine\'s Node, with a warning', () => {
  let local: LocalHarness;
  let lambda: LambdaClient;
  const saved: Record<string, string | undefined> = {};
  const unavailable = {
    // An empty cache, and a registry nothing answers on (npm's retries off so the failure is quick).
    TAP_RUNTIMES_DIR: mkdtempSync(join(tmpdir(), 'tap-runtimes-empty-')),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_fetch_retries: '0',
  };

  beforeAll(async () => {
    for (const [k, v] of Object.entries(unavailable)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    local = await startLocal();
    lambda = new LambdaClient(local.clientConfig);
  });
  afterAll(async () => {
    lambda?.destroy();
    await local?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('the invocation runs on the host Node and its log lines say so; the failed install is not retried at once', async () => {
    // Arrange
    await createFunction(lambda, 'fallback', { 'index.js': PLAIN_HANDLER }, { Runtime: 'nodejs24.x' });

    // Act
    const first = await lambda.send(new InvokeCommand({ FunctionName: 'fallback', Payload: '{}', LogType: 'Tail' }));
    const started = performance.now();
    const second = await lambda.send(new InvokeCommand({ FunctionName: 'fallback', Payload: '{}', LogType: 'Tail' }));
    const secondMs = performance.now() - started;

    // Assert: it ran, on this machine's Node, and both invocations' logs name both versions.
    expect(first.FunctionError, text(first.Payload)).toBeUndefined();
    expect(JSON.parse(text(first.Payload)).version).toBe(process.version);
    for (const out of [first, second]) {
      const tail = Buffer.from(out.LogResult ?? '', 'base64').toString();
      expect(tail).toContain(`nodejs24.x ran on this machine's Node ${process.version}, not Node 24`);
      expect(tail).toContain(`hello from ${process.version}`);
    }
    expect(secondMs).toBeLessThan(5_000);
    expect(readdirSync(unavailable.TAP_RUNTIMES_DIR).filter((f) => !f.startsWith('.'))).toEqual([]);
    // What `tap logs` reads: the function's log group has the line too.
    const logs = new CloudWatchLogsClient(local.clientConfig);
    const events = await eventually(async () => {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/fallback', filterPattern: '"ran on this machine"' }));
      return r.events?.length ? r.events : undefined;
    });
    expect(events.length).toBeGreaterThanOrEqual(2);
    logs.destroy();
  });
});

describe('the runtime cache', () => {
  it('two concurrent installs of one runtime into an empty cache give one complete copy; prune removes it', async () => {
    // Arrange: two caches over one folder, as two local AWS processes would have.
    const dir = mkdtempSync(join(tmpdir(), 'tap-runtimes-fresh-'));
    const lines: string[] = [];

    // Act
    const [a, b] = await Promise.all([
      new RuntimeCache(dir).install('nodejs22.x', { onLine: (l) => lines.push(l) }),
      new RuntimeCache(dir).install('nodejs22.x', { onLine: (l) => lines.push(l) }),
    ]);

    // Assert
    expect(a.binary).toBe(b.binary);
    expect(major(await nodeVersion(a.binary))).toBe(22);
    expect(a.package).toMatch(/^node-[a-z]+-[a-z0-9]+@22\.\d+\.\d+$/);
    expect(lines).toContain('waiting for another install of nodejs22.x to finish');
    expect(readdirSync(dir)).toEqual(['nodejs22.x']); // no staging folder or lock left behind
    const [listed] = await new RuntimeCache(dir).list();
    expect(listed).toMatchObject({ runtime: 'nodejs22.x', nodeVersion: a.nodeVersion });
    expect(listed!.size).toBeGreaterThan(50e6);

    const removed = await new RuntimeCache(dir).prune(new Set(['nodejs24.x']));
    expect(removed.map((r) => r.runtime)).toEqual(['nodejs22.x']);
    expect(existsSync(a.binary)).toBe(false);
  });

  it('a runtime that is not Node.js is refused with the reason', async () => {
    await expect(new RuntimeCache(mkdtempSync(join(tmpdir(), 'tap-rt-'))).install('python3.12')).rejects.toThrow(/not a Node.js runtime/);
  });
});

describe('deploy-time warning for runtimes AWS deprecated', () => {
  const template = (runtime: string) => ({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: runtime } } } });

  it('warns for a deprecated or blocked runtime, not for a current one', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(deprecatedRuntimes(template('nodejs18.x'), now)).toEqual([expect.stringContaining('Fn runs on nodejs18.x, which AWS deprecated on 2025-09-01')]);
    expect(deprecatedRuntimes(template('nodejs16.x'), now)).toEqual([expect.stringContaining('no longer accepts for new or updated functions')]);
    expect(deprecatedRuntimes(template('nodejs24.x'), now)).toEqual([]);
    expect(deprecatedRuntimes(template('nodejs22.x'), now)).toEqual([]);
    expect(deprecatedRuntimes(template('nodejs22.x'), new Date('2027-05-01T00:00:00Z'))).toHaveLength(1);
  });
});
