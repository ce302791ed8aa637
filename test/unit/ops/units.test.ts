import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../../src/ops/units.js';
import { throttledLines } from '../../../src/cli/reporters.js';

describe('formatBytes (the one byte format: progress, synth, status, local)', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [250 * 1024, '250 KiB'],
    [5.25 * 1024 ** 2, '5.3 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('formatDuration (the one duration format: results and finished steps)', () => {
  it.each([
    [850, '850 ms'],
    [4_200, '4.2 s'],
    [185_000, '3m 05s'],
    [7_800_000, '2h 10m'],
  ])('%d → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('is what a finished step shows', () => {
    const lines: string[] = [];
    throttledLines((line) => lines.push(line)).emit({ type: 'done', code: 'TAP_UPLOAD_DONE', message: 'Deleting', ms: 185_000 });
    expect(lines).toEqual(['✓ Deleting (3m 05s)']);
  });
});
