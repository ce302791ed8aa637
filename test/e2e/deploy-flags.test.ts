/**
 * The big-file deploy settings refuse bad values before anything starts: exit 2, a message that says
 * what a good value looks like, no stack trace, and no local AWS started for nothing.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tapWorkspace } from '../helpers/cli.js';

const { env, tap } = tapWorkspace('deploy-flags');

describe('tap deploy --big-file-* with bad values', () => {
  it.each([
    ['--big-file-threshold', 'abc', /use a size from 0 bytes to 5 GiB/],
    ['--big-file-threshold', '-5', /use a size from 0 bytes to 5 GiB/],
    ['--big-file-threshold', '1.5TB', /use a size from 0 bytes to 5 GiB/],
    ['--big-file-concurrency', '0', /whole number from 1 to 1000/],
    ['--big-file-tolerance', '150', /whole number from 0 to 100/],
  ])('%s %s is refused at once', async (flag, value, message) => {
    const r = await tap('deploy', '--env', 'dev', flag, value);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(env.TAP_LOCAL_DIR!)).toBe(false);
  });
});
