import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTap } from '../helpers/cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'tap-e2e-synth-'));

describe('tap synth (the real binary)', () => {
  it('writes the template and assets and prints a summary as JSON', async () => {
    // arrange
    const cwd = tempDir();
    // act
    const run = await runTap(['synth', '--env', 'dev', '--out', 'out', '--json'], { cwd });
    // assert
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ stackName: 'TapStack-dev', env: 'dev', outDir: 'out' });
    expect(result.resources['AWS::Lambda::Function']).toBe(7); // the processor, the pod processor, the API handler, the webhook notifier, and the big-file Prepare, Batch and Finish
    expect(result.outputs).toContain('UploadBucketName');
    const template = JSON.parse(readFileSync(join(cwd, result.templateFile), 'utf8'));
    expect(Object.keys(template.Resources)).toHaveLength(result.resourceCount);
    expect(existsSync(join(cwd, result.assetManifestFile))).toBe(true);
    // progress went to stderr as NDJSON, not into the result
    const events = run.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['step', 'done']);
  });

  it('prints a readable summary without --json', async () => {
    const run = await runTap(['synth', '--env', 'staging', '--out', 'out'], { cwd: tempDir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Synthesized TapStack-staging');
    expect(run.stdout).toMatch(/\d+ resources:/);
    expect(run.stdout).toContain('AWS::DynamoDB::Table');
  });

  it('--validate runs the security rules and passes', async () => {
    const run = await runTap(['synth', '--env', 'prod', '--out', 'out', '--validate', '--json'], { cwd: tempDir() });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).findings).toEqual([]);
  }, 180_000); // two bundles, the whole template validation and both rule packs: close to a minute on a loaded machine

  it('rejects a bad --env with a clear message, exit code 2, no stack trace and nothing written', async () => {
    const cwd = tempDir();
    const run = await runTap(['synth', '--env', 'Prod_1', '--out', 'out'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid environment name "Prod_1"');
    expect(run.stderr).toContain('lowercase letters');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('reuses its previous output when nothing that shapes it changed (and says so); --force and another env rebuild', async () => {
    const cwd = tempDir();
    const synth = async (...extra: string[]) => {
      const run = await runTap(['synth', '--out', 'out', '--json', ...extra], { cwd });
      expect(run.code, run.stderr).toBe(0);
      return { result: JSON.parse(run.stdout), events: run.stderr.trim().split('\n').map((l) => JSON.parse(l)) };
    };
    const first = await synth();
    expect(first.result.reused).toBe(false);
    const template = readFileSync(join(cwd, first.result.templateFile), 'utf8');
    expect(JSON.parse(template).Outputs.TapFingerprint.Value).toBe(first.result.fingerprint);
    expect(first.result.outputs).not.toContain('TapFingerprint');

    const again = await synth();
    expect(again.result).toMatchObject({ reused: true, fingerprint: first.result.fingerprint, resourceCount: first.result.resourceCount });
    expect(again.events.map((e) => e.type)).toEqual(['info']);
    expect(again.events[0].message).toContain('Nothing that shapes TapStack-dev changed since the last synth');
    expect(readFileSync(join(cwd, again.result.templateFile), 'utf8')).toBe(template);

    const forced = await synth('--force');
    expect(forced.result).toMatchObject({ reused: false, fingerprint: first.result.fingerprint });
    const other = await synth('--env', 'qa');
    expect(other.result.reused).toBe(false);
    expect(other.result.fingerprint).not.toBe(first.result.fingerprint);
    expect((await synth('--env', 'qa', '--alarm-email', 'ops@example.com')).result.reused).toBe(false);
  }, 180_000);

  it('takes the environment from TAP_ENV', async () => {
    const run = await runTap(['synth', '--out', 'out', '--json'], { cwd: tempDir(), env: { TAP_ENV: 'qa' } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).stackName).toBe('TapStack-qa');
  });
});
