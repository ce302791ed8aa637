/** Progress on a pipe or in CI: a line per state change and at most one per 10 s otherwise. */
import { describe, expect, it } from 'vitest';
import { PROGRESS_LINE_INTERVAL_MS, throttledLines } from '../../../src/cli/reporters.js';

function harness() {
  const lines: string[] = [];
  let clock = 0;
  const reporter = throttledLines((l) => lines.push(l), () => clock);
  return { lines, reporter, tick: (ms: number) => (clock += ms) };
}

describe('throttledLines', () => {
  it('a wait polled every second for a minute prints a handful of lines, not sixty', () => {
    const { lines, reporter, tick } = harness();
    for (let s = 0; s < 60; s++) {
      reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: `Waiting for the pipeline: incoming/a.ndjson (${s} s)`, done: 0, total: 1 });
      tick(1000);
    }
    expect(lines).toHaveLength(Math.ceil(60_000 / PROGRESS_LINE_INTERVAL_MS));
    expect(lines[0]).toBe('  [0/1] Waiting for the pipeline: incoming/a.ndjson (0 s)');
    expect(lines[1]).toContain('(10 s)');
  });

  it('a change of state (counts or words) is printed at once', () => {
    const { lines, reporter, tick } = harness();
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: 'Bucket (AWS::S3::Bucket) CREATE_IN_PROGRESS · 1 in progress · 0.3 s', done: 0, total: 3 });
    tick(100);
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: 'Bucket (AWS::S3::Bucket) CREATE_COMPLETE · 0.4 s', done: 1, total: 3 });
    tick(100);
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: 'Queue (AWS::SQS::Queue) CREATE_IN_PROGRESS · 1 in progress · 0.5 s', done: 1, total: 3 });
    expect(lines).toHaveLength(3);
  });

  it('byte progress: one line per file and interval, however many chunks', () => {
    const { lines, reporter, tick } = harness();
    for (let i = 1; i <= 100; i++) {
      reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: `[1/1] big.ndjson: ${i} MB of 100 MB`, done: i, total: 100, unit: 'bytes' });
      tick(200);
    }
    expect(lines).toHaveLength(2);
  });

  it('steps, warnings and results are never held back, and end the throttle', () => {
    const { lines, reporter } = harness();
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: 'Waiting (1 s)', done: 0, total: 1 });
    reporter.emit({ type: 'warn', code: 'TAP_INTERRUPT', message: 'Stopping…' });
    reporter.emit({ type: 'progress', code: 'TAP_WAIT_PIPELINE', message: 'Waiting (1 s)', done: 0, total: 1 });
    reporter.emit({ type: 'done', code: 'TAP_UPLOAD_DONE', message: 'Uploaded', ms: 1200 });
    expect(lines).toEqual(['  [0/1] Waiting (1 s)', '! Stopping…', '  [0/1] Waiting (1 s)', '✓ Uploaded (1.2 s)']);
  });
});
