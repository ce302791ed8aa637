import { describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES, numberProblem, storageProblem } from '../../../src/handlers/limits.js';
import { validateRecord } from '../../../src/handlers/validate.js';

/** `levels` maps around a scalar, as the value of attribute `a`. */
const wraps = (levels: number): unknown => (levels === 0 ? 1 : { n: wraps(levels - 1) });
const base = { shipment_id: 'SH1', status: 'X', timestamp: '2026-01-05T10:00:00Z' };

describe('storageProblem: what DynamoDB would refuse', () => {
  it('accepts 31 maps around a scalar and refuses 32, as DynamoDB does (top-level attribute = level 1)', () => {
    expect(storageProblem({ a: wraps(31) })).toBeUndefined();
    expect(storageProblem({ a: wraps(32) })).toEqual({
      field: `a${'.n'.repeat(31)}`,
      reason: "nested deeper than DynamoDB's limit of 32 levels",
    });
  });

  it('counts lists like maps, and survives a value nested far deeper than the stack would allow recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(storageProblem({ a: deep })?.reason).toMatch(/nested deeper/);
    expect(storageProblem({ a: [[[{ b: [1] }]]] })).toBeUndefined();
  });

  it.each([
    [1e200, /beyond DynamoDB's range/],
    [-1e126, /beyond DynamoDB's range/],
    [1e-131, /too small for DynamoDB/],
    [Infinity, /only finite numbers/],
    [-Infinity, /only finite numbers/],
    [NaN, /only finite numbers/],
  ])('refuses the number %d', (n, reason) => {
    expect(numberProblem(n)).toMatch(reason);
    expect(storageProblem({ x: { y: [n] } })).toEqual({ field: 'x.y[0]', reason: expect.stringMatching(reason) });
  });

  it.each([0, -0, 1e126 * (1 - Number.EPSILON), 1e-130, -1e-130, 12.5, Number.MAX_SAFE_INTEGER])('accepts the number %d', (n) => {
    expect(numberProblem(n)).toBeUndefined();
  });

  it('refuses an empty field name at any level', () => {
    expect(storageProblem({ '': 1 })).toEqual({ field: '', reason: 'field names must not be empty' });
    expect(storageProblem({ a: [{ '': 1 }] })).toEqual({ field: 'a[0].', reason: 'field names must not be empty' });
  });

  it('measures size as DynamoDB does, in UTF-8 bytes, with room for what the caller adds', () => {
    const limit = MAX_ITEM_BYTES;
    expect(storageProblem({ s: 'x'.repeat(limit - 1) })).toBeUndefined(); // 1 + (limit - 1) bytes
    expect(storageProblem({ s: 'x'.repeat(limit) })).toEqual({ field: null, reason: "larger than DynamoDB's 400 KB item limit" });
    // 3 bytes per character in UTF-8: a third as many characters reach the limit.
    expect(storageProblem({ s: '€'.repeat(Math.ceil(limit / 3)) })?.reason).toMatch(/400 KB/);
    expect(storageProblem({ s: 'x'.repeat(limit - 100) }, 200)?.reason).toMatch(/400 KB/);
  });
});

describe('validateRecord applies the limits after the required fields', () => {
  it.each([
    [{ ...base, n: 1e200 }, 'n'],
    [{ ...base, deep: wraps(40) }, `deep${'.n'.repeat(31)}`],
    [{ ...base, blob: 'x'.repeat(400 * 1024) }, null],
  ])('rejects %#, naming the field', (record, field) => {
    expect(validateRecord(record)).toMatchObject({ ok: false, field });
  });

  it('reports a missing required field before a limit', () => {
    expect(validateRecord({ status: 'X', timestamp: '2026-01-05', n: Infinity })).toMatchObject({ ok: false, field: 'shipment_id' });
  });
});
