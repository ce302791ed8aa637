import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

describe('eventually (the one polling helper of the tests)', () => {
  it('returns the first value that is not undefined', async () => {
    let n = 0;
    expect(await eventually(async () => (++n >= 3 ? n : undefined), { intervalMs: 1 })).toBe(3);
  });

  it('tries again after a probe throws, and names the last error when the time is up', async () => {
    let n = 0;
    expect(await eventually(async () => (++n < 3 ? Promise.reject(new Error('not yet')) : 'ok'), { intervalMs: 1 })).toBe('ok');
    await expect(eventually(async () => Promise.reject(new Error('never')), { timeoutMs: 30, intervalMs: 5, what: 'the thing' })).rejects.toThrow(
      'timed out waiting for the thing (30 ms): Error: never',
    );
  });

  it('probes at least once even with no time at all', async () => {
    expect(await eventually(async () => 'now', { timeoutMs: 0 })).toBe('now');
  });
});
