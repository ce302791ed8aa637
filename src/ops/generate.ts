/**
 * Realistic shipments files for `tap upload --generate N`: mixed carriers, services, statuses and
 * timestamps, and with `badRatio` a share of records the processor must reject, of several kinds.
 * Deterministic for a given seed, so tests can predict exactly what the pipeline will count.
 */
import { open } from 'node:fs/promises';

export interface GenerateOptions {
  readonly count: number;
  /** Fraction of records that are invalid, 0..1: exactly floor(count × badRatio) of them. */
  readonly badRatio: number;
  readonly seed?: number;
  /** Timestamps fall in the 7 days before this instant. */
  readonly now?: number;
}

/** The ways a generated record is invalid; each is rejected by the processor's validation. */
export const BAD_KINDS = ['missing-shipment-id', 'empty-status', 'bad-timestamp', 'numeric-shipment-id', 'not-an-object'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

export interface GeneratedFile {
  readonly records: number;
  readonly valid: number;
  readonly invalid: number;
  readonly invalidByKind: Partial<Record<BadKind, number>>;
  readonly bytes: number;
}

const CARRIERS = [
  { name: 'UPS', prefix: '1Z', services: ['Ground', 'Next Day Air', '2nd Day Air'] },
  { name: 'FedEx', prefix: '7', services: ['Ground', 'Express Saver', 'Priority Overnight'] },
  { name: 'DHL', prefix: 'JD', services: ['Express', 'Economy Select'] },
  { name: 'USPS', prefix: '94', services: ['Priority Mail', 'Ground Advantage'] },
  { name: 'Maersk', prefix: 'MAEU', services: ['Ocean FCL', 'Ocean LCL'] },
  { name: 'DB Schenker', prefix: 'DBS', services: ['Land', 'Air'] },
] as const;
// Weighted towards the statuses a live feed mostly carries.
const STATUSES = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'IN_TRANSIT', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'DELIVERED', 'EXCEPTION', 'RETURNED'];
const CITIES = ['Rotterdam, NL', 'Hamburg, DE', 'Chicago, US', 'Memphis, US', 'Shenzhen, CN', 'Singapore, SG', 'Lyon, FR', 'Toronto, CA', 'São Paulo, BR', 'Osaka, JP'];
const WEEK_MS = 7 * 86_400_000;

/** A small, fast PRNG (mulberry32): the same seed gives the same file. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Whether record `i` is one of the bad ones: spread evenly, exactly floor(count × ratio) in all. */
export function isBad(i: number, ratio: number): boolean {
  return Math.floor((i + 1) * ratio) > Math.floor(i * ratio);
}

/** The records, one at a time, with the kind of each bad one. */
export function* shipmentRecords(options: GenerateOptions): Generator<{ record: unknown; bad?: BadKind }> {
  const next = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const now = options.now ?? Date.now();
  for (let i = 0; i < options.count; i++) {
    const carrier = pick(CARRIERS);
    const origin = pick(CITIES);
    const record: Record<string, unknown> = {
      shipment_id: `SHP-${String(i + 1).padStart(7, '0')}`,
      status: pick(STATUSES),
      timestamp: new Date(now - Math.floor(next() * WEEK_MS)).toISOString(),
      carrier: carrier.name,
      service: pick(carrier.services),
      tracking_number: `${carrier.prefix}${Math.floor(next() * 1e12).toString().padStart(12, '0')}`,
      origin,
      destination: pick(CITIES.filter((c) => c !== origin)),
      weight_kg: Math.round((0.2 + next() * 40) * 10) / 10,
      pieces: 1 + Math.floor(next() * 4),
    };
    if (!isBad(i, options.badRatio)) {
      yield { record };
      continue;
    }
    const bad = pick(BAD_KINDS);
    yield { record: spoil(record, bad, next), bad };
  }
}

function spoil(record: Record<string, unknown>, kind: BadKind, next: () => number): unknown {
  switch (kind) {
    case 'missing-shipment-id': {
      const { shipment_id: _, ...rest } = record;
      return rest;
    }
    case 'empty-status':
      return { ...record, status: '  ' };
    case 'bad-timestamp':
      return { ...record, timestamp: ['yesterday', '31/12/2025 10:00', '2026-13-45T99:00:00Z', ''][Math.floor(next() * 4)] };
    case 'numeric-shipment-id':
      return { ...record, shipment_id: Math.floor(next() * 1e6) };
    case 'not-an-object':
      return `${String(record.shipment_id)},${String(record.status)},${String(record.timestamp)}`;
  }
}

/** Writes the records as a JSON array, one record per line, in 64 KiB writes (N may be in the millions). */
export async function writeShipmentsFile(path: string, options: GenerateOptions): Promise<GeneratedFile> {
  const file = await open(path, 'w');
  const invalidByKind: Partial<Record<BadKind, number>> = {};
  let records = 0;
  let bytes = 0;
  let buffer = '[\n';
  const flush = async () => {
    bytes += Buffer.byteLength(buffer);
    await file.write(buffer);
    buffer = '';
  };
  try {
    for (const { record, bad } of shipmentRecords(options)) {
      buffer += `${records ? ',\n' : ''}${JSON.stringify(record)}`;
      records++;
      if (bad) invalidByKind[bad] = (invalidByKind[bad] ?? 0) + 1;
      if (buffer.length >= 65_536) await flush();
    }
    buffer += '\n]\n';
    await flush();
  } finally {
    await file.close();
  }
  const invalid = Object.values(invalidByKind).reduce((a, b) => a + b, 0);
  return { records, valid: records - invalid, invalid, invalidByKind, bytes };
}
