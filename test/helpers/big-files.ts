/**
 * Big shipment files for the scale test and the big-file bench: NDJSON or CSV, streamed to disk in
 * 1 MiB writes from the same generator as `tap upload --generate` (so the same bad-record kinds).
 */
import { open } from 'node:fs/promises';
import { shipmentRecords } from '../../src/ops/generate.js';

const CSV_COLUMNS = ['shipment_id', 'status', 'timestamp', 'carrier', 'service', 'tracking_number', 'origin', 'destination', 'weight_kg', 'pieces'];

const cell = (v: unknown) => {
  const text = v === undefined ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Writes `count` records; resolves with how many are bad (each is a reject) and the file's size. */
export async function writeBigFile(path: string, format: 'ndjson' | 'csv', count: number, badRatio: number): Promise<{ bad: number; bytes: number }> {
  const file = await open(path, 'w');
  let buffer = format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '';
  let bad = 0;
  let bytes = 0;
  try {
    for (const { record, bad: kind } of shipmentRecords({ count, badRatio, seed: 7, now: Date.parse('2026-01-08T00:00:00Z') })) {
      // In CSV every cell is text: a numeric shipment id is a valid string there, not a reject.
      if (kind && !(format === 'csv' && kind === 'numeric-shipment-id')) bad++;
      if (format === 'ndjson') buffer += `${JSON.stringify(record)}\n`;
      // A record that is not an object is a row with too few cells in CSV: a reject too.
      else buffer += `${typeof record === 'object' && record !== null ? CSV_COLUMNS.map((c) => cell((record as Record<string, unknown>)[c])).join(',') : cell(record)}\n`;
      if (buffer.length >= 1 << 20) {
        bytes += Buffer.byteLength(buffer);
        await file.write(buffer);
        buffer = '';
      }
    }
    bytes += Buffer.byteLength(buffer);
    await file.write(buffer);
  } finally {
    await file.close();
  }
  return { bad, bytes };
}
