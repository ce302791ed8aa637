/**
 * Which AWS a command talks to, said at length once: the real bin/tap without credentials, the local
 * AWS on a free port, one project folder, run after run. `tap destroy` of an environment that does not
 * exist is the cheapest command that resolves the target (it exits 0 with "nothing to destroy").
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTap, type TapRun } from '../helpers/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'tap-e2e-target-'));
const env = { TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: '0' };
const destroyNothing = (...extra: string[]): Promise<TapRun> => runTap(['destroy', '--env', 'none', '--yes', ...extra], { cwd, env });
const ok = (r: TapRun) => {
  expect(r.code, `exit ${r.code}\n${r.stderr}`).toBe(0);
  return r;
};
const NO_CREDENTIALS = 'No AWS credentials found: using the local AWS';
const targetLines = (text: string) => text.split('\n').filter((l) => l.includes('Target:'));

afterAll(async () => {
  await runTap(['local', 'stop'], { cwd, env });
});

describe('the target notice', () => {
  let endpoint = '';

  it('first run: the whole explanation, on stderr only, remembered in .tap/', async () => {
    const first = ok(await destroyNothing());
    expect(first.stderr).toContain(NO_CREDENTIALS);
    expect(targetLines(first.stderr)).toEqual([expect.stringMatching(/Target: the local AWS at http:\/\/127\.0\.0\.1:\d+ \(us-east-1\)$/)]);
    expect(first.stdout).not.toMatch(/credentials|Target:/);
    expect(existsSync(join(cwd, '.tap', 'last_target.json'))).toBe(true);
    endpoint = /(http:\/\/127\.0\.0\.1:\d+)/.exec(first.stderr)![1]!;
  }, 60_000);

  it('second run: one short line, no explanation; with --json one info event and nothing more', async () => {
    const second = ok(await destroyNothing());
    expect(second.stderr).not.toContain(NO_CREDENTIALS);
    expect(targetLines(second.stderr)).toEqual([`  Target: the local AWS at ${endpoint} (us-east-1)`]);
    expect(second.stdout).toContain('does not exist: nothing to destroy');

    const json = ok(await destroyNothing('--json'));
    const events = json.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message: string });
    expect(events.filter((e) => /credentials|Target:/.test(e.message))).toEqual([expect.objectContaining({ type: 'info', message: `Target: the local AWS at ${endpoint} (us-east-1)` })]);
    expect(JSON.parse(json.stdout)).toMatchObject({ existed: false });
  }, 60_000);

  it('another target: said in full with the one before; back to the local AWS: the explanation again', async () => {
    const other = ok(await destroyNothing('--endpoint-url', endpoint));
    expect(other.stderr).not.toContain(NO_CREDENTIALS);
    expect(targetLines(other.stderr)).toEqual([`  Target: ${endpoint} (us-east-1) (before: the local AWS at ${endpoint} (us-east-1))`]);
    expect(targetLines(ok(await destroyNothing('--endpoint-url', endpoint)).stderr)).toEqual([`  Target: ${endpoint} (us-east-1)`]);

    const back = ok(await destroyNothing());
    expect(back.stderr).toContain(NO_CREDENTIALS);
    expect(targetLines(back.stderr)).toEqual([`  Target: the local AWS at ${endpoint} (us-east-1) (before: ${endpoint} (us-east-1))`]);
  }, 60_000);
});
