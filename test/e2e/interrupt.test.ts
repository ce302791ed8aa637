/**
 * Ctrl-C during `tap deploy`, with another process keeping the CPU busy: the byte typed on a
 * pseudo-terminal and a SIGINT signal both stop it cleanly within seconds, exit 130, and leave no
 * change set and no REVIEW_IN_PROGRESS stack behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTap, TAP_BIN } from '../helpers/cli.js';
import { busyCpu, hasScript, runOnPty } from '../helpers/pty.js';

const cwd = mkdtempSync(join(tmpdir(), 'tap-e2e-interrupt-'));
const port = String(20000 + Math.floor(Math.random() * 30000));
const env = { HOME: cwd, TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: port };
const cfn = new CloudFormationClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
/** Ctrl-C must act within this; generous for a loaded 2-core machine (it takes well under a second idle). */
const PROMPT_MS = 4000;

/** Stacks of that name in any state but DELETE_COMPLETE: none means nothing was left behind. */
async function leftovers(stackName: string): Promise<string[]> {
  const { StackSummaries = [] } = await cfn.send(new ListStacksCommand({}));
  return StackSummaries.filter((s) => s.StackName === stackName && s.StackStatus !== 'DELETE_COMPLETE').map((s) => `${s.StackName} ${s.StackStatus}`);
}

beforeAll(async () => {
  const started = await runTap(['local', 'start'], { cwd, env });
  expect(started.code, started.stderr).toBe(0);
}, 60_000);
afterAll(async () => {
  cfn.destroy();
  await runTap(['local', 'stop'], { cwd, env });
}, 60_000);

describe.skipIf(!hasScript)('Ctrl-C on a terminal, CPU busy', () => {
  it('during synthesis: stops at once, says nothing changed, exit 130', async () => {
    const busy = busyCpu();
    const run = await runOnPty(['deploy', '--env', 'intsynth'], { cwd, env, interruptWhen: 'Synthesizing' }).finally(() => busy.stop());
    expect(run.code, run.screen).toBe(130);
    expect(run.afterInterruptMs).toBeLessThan(PROMPT_MS);
    expect(run.screen).toContain('Stopping… (Ctrl-C again to quit at once)');
    expect(run.screen).toContain('Interrupted: stopped while synthesizing; nothing was changed on AWS.');
    expect(run.screen).not.toContain('Error:');
    expect(await leftovers('TapStack-intsynth')).toEqual([]);
  }, 120_000);

  it('during change-set creation: the change set and the empty new stack are deleted, exit 130', async () => {
    const busy = busyCpu();
    const run = await runOnPty(['deploy', '--env', 'intcs'], { cwd, env, interruptWhen: 'Creating a change set' }).finally(() => busy.stop());
    expect(run.code, run.screen).toBe(130);
    expect(run.afterInterruptMs).toBeLessThan(PROMPT_MS);
    expect(run.screen).toContain('Interrupted: stopped before the change set ran: it was deleted (and the empty new stack with it)');
    expect(await leftovers('TapStack-intcs')).toEqual([]);
  }, 120_000);

  it('a second Ctrl-C quits at once, exit 130', async () => {
    const busy = busyCpu();
    const run = await runOnPty(['deploy', '--env', 'inttwice'], { cwd, env, interruptWhen: 'Synthesizing', presses: 2 }).finally(() => busy.stop());
    expect(run.code, run.screen).toBe(130);
    expect(run.afterInterruptMs).toBeLessThan(PROMPT_MS);
    expect(run.screen).toMatch(/Quit at once|Interrupted: stopped while synthesizing/);
    expect(await leftovers('TapStack-inttwice')).toEqual([]);
  }, 120_000);
});

describe('SIGINT as a signal (no terminal), CPU busy', () => {
  for (const [phase, when, expected] of [
    ['synthesis', '… Synthesizing', 'Interrupted: stopped while synthesizing'],
    ['change-set creation', '… Creating a change set', 'Interrupted: stopped before the change set ran'],
  ] as const) {
    it(`during ${phase}: clean stop, exit 130, nothing left`, async () => {
      const busy = busyCpu();
      const name = phase === 'synthesis' ? 'sigsynth' : 'sigcs';
      const childEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) childEnv[k] = v;
      const child = spawn(process.execPath, [TAP_BIN, 'deploy', '--env', name], {
        cwd,
        env: { ...childEnv, ...env, NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let sentAt = 0;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sentAt && stderr.includes(when)) {
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() => busy.stop());
      expect(code, stderr).toBe(130);
      expect(Date.now() - sentAt).toBeLessThan(PROMPT_MS);
      expect(stderr).toContain(expected);
      expect(await leftovers(`TapStack-${name}`)).toEqual([]);
    }, 120_000);
  }
});
