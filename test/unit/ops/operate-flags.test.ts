import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/ops/errors.js';
import { parseCount, parseDuration, parseRatio, parseStatus, parseTimeout } from '../../../src/ops/flags.js';
import { parseLevel } from '../../../src/ops/log-lines.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    [' 90S ', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text, '--since')).toBe(ms);
  });

  it.each(['', '10', 'm', '5x', '1h 30m', '-1h', '1h-', 'soon', '0m'])('rejects %j with a UserError naming the flag and an example', (text) => {
    const error = (() => {
      try {
        parseDuration(text, '--since');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/--since/);
    expect((error as Error).message).toMatch(/10m/);
  });
});

describe('parseCount', () => {
  it('accepts whole numbers in range', () => {
    expect(parseCount('20', '--limit')).toBe(20);
    expect(parseCount(' 7 ', '-n', { max: 10 })).toBe(7);
  });

  it.each(['0', '-1', 'abc', '1.5', '', '1e3', '11'])('rejects %j', (text) => {
    expect(() => parseCount(text, '--generate', { max: 10 })).toThrow(UserError);
  });

  it('says what would work', () => {
    expect(() => parseCount('0', '--generate')).toThrow(/--generate "0" is not valid: use a whole number at least 1/);
  });
});

describe('parseRatio', () => {
  it.each([
    ['0', 0],
    ['0.1', 0.1],
    ['1', 1],
    ['10%', 0.1],
  ])('%s → %d', (text, value) => expect(parseRatio(text, '--bad-ratio')).toBeCloseTo(value));

  it.each(['', '%', '1.5', '-0.1', 'half', '120%'])('rejects %j', (text) => {
    expect(() => parseRatio(text, '--bad-ratio')).toThrow(/--bad-ratio .* fraction from 0 to 1/);
  });
});

describe('parseTimeout, parseStatus, parseLevel', () => {
  it('takes plain seconds or a duration', () => {
    expect(parseTimeout('120')).toBe(120_000);
    expect(parseTimeout('2m')).toBe(120_000);
    expect(() => parseTimeout('0')).toThrow(UserError);
  });

  it('reads statuses in any case', () => {
    expect(parseStatus('failed')).toBe('FAILED');
    expect(parseStatus('SUCCESS')).toBe('SUCCESS');
    expect(() => parseStatus('ok')).toThrow(/Use SUCCESS or FAILED/);
  });

  it('reads levels and their usual aliases', () => {
    expect(parseLevel('error')).toBe('ERROR');
    expect(parseLevel('warning')).toBe('WARN');
    expect(parseLevel('fatal')).toBe('CRITICAL');
    expect(() => parseLevel('loud')).toThrow(/debug, info, warn, error/);
  });
});
