import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { bundleHandler } from '../../src/infra/bundle.js';

/** The real processor, bundled as `tap synth` bundles it, zipped for CreateFunction. */
export async function processorZip(): Promise<Uint8Array> {
  const { dir } = await bundleHandler('processor', mkdtempSync(join(tmpdir(), 'tap-bundle-')));
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) files[name] = readFileSync(join(dir, name));
  return zipSync(files);
}

export { eventually } from './eventually.js';

/** A small, valid shipments file. */
export function shipmentsJson(count: number, prefix = 'SH'): string {
  const statuses = ['CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      shipment_id: `${prefix}${String(i).padStart(5, '0')}`,
      status: statuses[i % statuses.length],
      timestamp: new Date(Date.UTC(2026, 0, 5, 10, 0, i)).toISOString(),
      carrier: i % 2 ? 'UPS' : 'DHL',
    })),
  );
}
