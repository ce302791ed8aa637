import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp } from '../../../src/handlers/timestamp.js';
import { validateRecord } from '../../../src/handlers/validate.js';

const valid = { shipment_id: 'SH1', status: 'in_transit', timestamp: '2026-01-05T10:00:00Z' };

describe('validateRecord', () => {
  it('accepts a complete record and normalizes the required fields', () => {
    const result = validateRecord({ shipment_id: '  SH1 ', status: ' in_transit', timestamp: '2026-01-05T12:00:00+02:00' });
    expect(result).toEqual({
      ok: true,
      record: { shipment_id: 'SH1', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00.000Z' },
    });
  });

  it('keeps extra fields exactly as they came', () => {
    const extra = { carrier: ' UPS ', weight: 12.5, tags: ['a'], nested: { x: null } };
    const result = validateRecord({ ...valid, ...extra });
    expect(result.ok && result.record).toMatchObject(extra);
  });

  it.each([
    [{ status: 'X', timestamp: valid.timestamp }, 'shipment_id', 'missing'],
    [{ ...valid, shipment_id: '' }, 'shipment_id', 'must not be empty'],
    [{ ...valid, shipment_id: '   ' }, 'shipment_id', 'must not be empty'],
    [{ ...valid, shipment_id: 42 }, 'shipment_id', 'must be a string, got number'],
    [{ ...valid, shipment_id: 'x'.repeat(501) }, 'shipment_id', 'longer than 500 characters'],
    [{ shipment_id: 'SH1', timestamp: valid.timestamp }, 'status', 'missing'],
    [{ ...valid, status: null }, 'status', 'must be a string, got null'],
    [{ shipment_id: 'SH1', status: 'X' }, 'timestamp', 'missing'],
    [{ ...valid, timestamp: 1767607200000 }, 'timestamp', 'must be a string, got number'],
    [{ ...valid, timestamp: '2026-13-45' }, 'timestamp', 'not an ISO-8601 date-time: "2026-13-45"'],
    [{ ...valid, '': 1 }, '', 'field names must not be empty'],
  ])('rejects %j on %s', (input, field, reason) => {
    expect(validateRecord(input)).toEqual({ ok: false, field, reason });
  });

  it('reports the first problem only, in a fixed field order', () => {
    expect(validateRecord({ timestamp: 'nope' })).toMatchObject({ field: 'shipment_id' });
  });

  it.each([
    [42, 'number'],
    [null, 'null'],
    ['SH1', 'string'],
    [['SH1'], 'array'],
  ])('rejects the non-object %j as a whole record', (input, type) => {
    expect(validateRecord(input)).toEqual({ ok: false, field: null, reason: `record must be an object, got ${type}` });
  });
});

describe('parseIsoTimestamp', () => {
  const iso = (s: string) => {
    const ms = parseIsoTimestamp(s);
    return ms === undefined ? undefined : new Date(ms).toISOString();
  };

  it.each([
    ['2026-01-05', '2026-01-05T00:00:00.000Z'],
    ['2026-01-05T10:00Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00:00', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00:00.1234567Z', '2026-01-05T10:00:00.123Z'],
    ['2026-01-05T10:00:00,5Z', '2026-01-05T10:00:00.500Z'],
    ['2026-01-05T00:30:00+01:00', '2026-01-04T23:30:00.000Z'],
    ['2026-01-05T23:30:00-0530', '2026-01-06T05:00:00.000Z'],
    ['2026-01-05T10:00:00+02', '2026-01-05T08:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0099-06-01', '0099-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    '2026-13-45',
    '2026-00-10',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-01-00',
    '2026-01-05T24:00:00Z',
    '2026-01-05T10:60:00Z',
    '2026-01-05T10:00:60Z',
    '2026-01-05T10:00:00+24:00',
    '2026-01-05 10:00:00Z',
    '20260105T100000Z',
    '2026-W02-1',
    '2026-005',
    '2026-1-5',
    'yesterday',
    '',
    '2026-01-05T10:00:00Zjunk',
  ])('rejects %j', (input) => {
    expect(parseIsoTimestamp(input)).toBeUndefined();
  });
});
