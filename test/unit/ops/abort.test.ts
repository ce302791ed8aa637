import { describe, expect, it } from 'vitest';
import { sleep } from '../../../src/ops/abort.js';

describe('sleep', () => {
  it('waits about the time asked', async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('resolves early, without throwing, when the signal fires', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(5_000, controller.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('resolves at once for a signal that already fired', async () => {
    const started = performance.now();
    await sleep(5_000, AbortSignal.abort());
    expect(performance.now() - started).toBeLessThan(500);
  });
});
