import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateRecord } from '../../../src/handlers/validate.js';
import { BAD_KINDS, isBad, shipmentRecords, writeShipmentsFile } from '../../../src/ops/generate.js';

const NOW = Date.parse('2026-01-10T12:00:00Z');

describe('generated shipments', () => {
  it('spreads exactly floor(count × ratio) bad records evenly', () => {
    const bad = Array.from({ length: 100 }, (_, i) => isBad(i, 0.1));
    expect(bad.filter(Boolean)).toHaveLength(10);
    expect(bad.slice(0, 10).filter(Boolean)).toHaveLength(1);
    expect(Array.from({ length: 7 }, (_, i) => isBad(i, 0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 7 }, (_, i) => isBad(i, 1)).every(Boolean)).toBe(true);
  });

  it('is deterministic for a seed and varies between seeds', () => {
    const take = (seed: number) => [...shipmentRecords({ count: 20, badRatio: 0.2, seed, now: NOW })];
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('makes valid records the processor accepts, with mixed carriers, statuses and timestamps in the last week', () => {
    const records = [...shipmentRecords({ count: 500, badRatio: 0, now: NOW })].map((r) => r.record as Record<string, unknown>);
    for (const record of records) expect(validateRecord(record).ok).toBe(true);
    expect(new Set(records.map((r) => r.carrier)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(records.map((r) => r.status)).size).toBeGreaterThanOrEqual(6);
    const times = records.map((r) => Date.parse(String(r.timestamp)));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 7 * 86_400_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    expect(new Set(records.map((r) => r.shipment_id)).size).toBe(500);
  });

  it('makes invalid records of every kind, each rejected by the processor', () => {
    const bad = [...shipmentRecords({ count: 1000, badRatio: 0.5, now: NOW })].filter((r) => r.bad);
    expect(bad).toHaveLength(500);
    expect(new Set(bad.map((r) => r.bad))).toEqual(new Set(BAD_KINDS));
    for (const { record } of bad) expect(validateRecord(record).ok).toBe(false);
  });

  it('writes a JSON array file and reports what it holds', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tap-gen-')), 'g.json');
    const summary = await writeShipmentsFile(path, { count: 3000, badRatio: 0.1, now: NOW });
    const text = readFileSync(path, 'utf8');
    const parsed = JSON.parse(text) as unknown[];
    expect(parsed).toHaveLength(3000);
    expect(summary).toMatchObject({ records: 3000, valid: 2700, invalid: 300, bytes: Buffer.byteLength(text) });
    expect(Object.values(summary.invalidByKind).reduce((a, b) => a + b, 0)).toBe(300);
    expect(parsed.filter((r) => validateRecord(r).ok)).toHaveLength(2700);
  });
});
