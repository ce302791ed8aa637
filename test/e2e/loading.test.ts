/**
 * Commands load only what they use: the real bin/tap runs in a child process with a preload that
 * lists every module it loads (test/helpers/track-modules.mjs), and each command must not have loaded
 * the heavy parts it does not need. The AWS-like target is an endpoint nobody listens on, so each
 * command fails fast at its first call, after loading everything it loads up to that call.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTap } from '../helpers/cli.js';

const TRACKER = fileURLToPath(new URL('../helpers/track-modules.mjs', import.meta.url));
const NOWHERE = ['--endpoint-url', 'http://127.0.0.1:1'];

/** The heavy parts, by where their files are. */
const HEAVY: Record<string, RegExp> = {
  'the local AWS (src/local)': /\/(dist|src)\/local\//,
  'aws-cdk-lib': /\/node_modules\/aws-cdk-lib\//,
  'the infra app': /\/(dist|src)\/infra\/(app|stack)\.[jt]s$/,
  esbuild: /\/node_modules\/esbuild\//,
  '@aws-cdk/cloudformation-diff': /\/node_modules\/@aws-cdk\/cloudformation-diff\//,
  'cdk-nag': /\/node_modules\/cdk-nag\//,
};

async function loadedBy(args: string[], extraEnv: Record<string, string> = {}): Promise<{ modules: string[]; code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-loading-'));
  const list = join(dir, 'modules.txt');
  const run = await runTap(args, {
    cwd: dir,
    env: { HOME: dir, TAP_TRACK_MODULES: list, NODE_OPTIONS: `--import=${TRACKER}`, AWS_MAX_ATTEMPTS: '1', ...extraEnv },
  });
  const modules = [...new Set(readFileSync(list, 'utf8').split('\n').filter(Boolean))];
  rmSync(dir, { recursive: true, force: true });
  return { modules, code: run.code, stderr: run.stderr };
}

const heavyIn = (modules: string[]) => Object.keys(HEAVY).filter((name) => modules.some((m) => HEAVY[name]!.test(m)));
const clientsIn = (modules: string[]): string[] =>
  [...new Set(modules.flatMap((m) => /\/node_modules\/@aws-sdk\/client-([a-z0-9-]+)\//.exec(m)?.[1] ?? []))].sort();

describe('commands load only what they use', () => {
  it('the tracker sees ES modules and CommonJS ones (a check that can fail)', async () => {
    const { modules, code } = await loadedBy(['--help']);
    expect(code).toBe(0);
    expect(modules.some((m) => m.endsWith('/dist/cli/run.js'))).toBe(true); // ESM, through the hook
    expect(modules.some((m) => m.endsWith('/node_modules/commander/lib/command.js'))).toBe(true); // CJS, required by commander itself
    // A command that does use the emulator shows it: the same list would show a regression.
    const local = await loadedBy(['local', 'status', '--data-dir', join(tmpdir(), 'tap-loading-nothing-here')]);
    expect(heavyIn(local.modules)).toContain('the local AWS (src/local)');
  }, 60_000);

  it.each([[[]], [['synth']], [['deploy']], [['diff']], [['destroy']], [['local']], [['upload']], [['status']], [['dlq']], [['logs']], [['webhook']], [['webhook', 'listen']], [['webhook', 'secret']], [['deliveries']], [['deliveries', 'retry']], [['shipment']]])(
    'tap %j --help loads nothing heavy and no AWS client',
    async (command) => {
      const { modules, code } = await loadedBy([...command, '--help']);
      expect(code).toBe(0);
      expect(heavyIn(modules)).toEqual([]);
      expect(clientsIn(modules)).toEqual([]);
    },
    60_000,
  );

  // Each command against an AWS-like endpoint, failing at its first call: the clients it may use at all.
  it.each([
    [['status'], ['cloudformation', 'dynamodb', 'sqs', 's3']],
    [['destroy', '--yes'], ['cloudformation', 's3']],
    [['dlq', 'list'], ['cloudformation', 'sqs']],
    [['logs'], ['cloudformation', 'cloudwatch-logs']],
    [['upload', 'missing.json'], ['cloudformation', 's3']],
    [['deploy'], ['cloudformation', 's3', 'sts', 'lambda']],
    [['diff'], ['cloudformation']],
    [['deliveries'], ['cloudformation', 'dynamodb']],
    [['deliveries', 'retry', '--file', 'x.json'], ['cloudformation', 'dynamodb', 'sfn']],
    [['webhook', 'secret'], ['cloudformation', 'secrets-manager']],
    [['shipment', 'S-1'], ['cloudformation', 'dynamodb']],
  ])('tap %j on an AWS-like target loads neither the local AWS nor the synth', async (command, allowed) => {
    const { modules, code, stderr } = await loadedBy([...command, ...NOWHERE]);
    expect(code, stderr).not.toBe(0);
    expect(stderr).toMatch(/127\.0\.0\.1:1/); // it did get as far as the endpoint
    expect(heavyIn(modules)).toEqual([]);
    const clients = clientsIn(modules);
    expect(clients).toContain('cloudformation');
    expect(clients.filter((c) => !allowed.includes(c))).toEqual([]);
  }, 60_000);

  it('a command on the local AWS finds the running server without loading the emulator itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-loading-local-'));
    const env = { TAP_LOCAL_DIR: dataDir };
    const started = await runTap(['local', 'start', '--port', '0', '--json'], { cwd: dataDir, env });
    expect(started.code, started.stderr).toBe(0);
    try {
      const { modules, stderr } = await loadedBy(['dlq', 'list', '--local'], env);
      expect(stderr).toMatch(/Target: the local AWS at http:\/\/127\.0\.0\.1:\d+/);
      // Reading server.json and the admin header: a handful of small modules, not the services.
      const local = modules.filter((m) => HEAVY['the local AWS (src/local)']!.test(m)).map((m) => m.replace(/.*\/local\//, ''));
      expect(local.sort()).toEqual(['admin-headers.js', 'data-dir.js', 'server-info.js', 'storage.js', 'sync-batch.js']);
      expect(heavyIn(modules).filter((name) => name !== 'the local AWS (src/local)')).toEqual([]);
    } finally {
      await runTap(['local', 'stop'], { cwd: dataDir, env });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
