/**
 * Throughput and peak memory of the processor's parsers on ~100 MB files, against the obvious
 * alternative for JSON: `JSON.parse(readFileSync(file))`. Every measurement runs in a fresh child
 * process, so each peak RSS belongs to one parser alone.
 *   npx tsx bench/parse.ts [--runs 5] [--mb 100] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { type Format, parseRecords } from '../src/handlers/parse/index.js';
import { validateRecord } from '../src/handlers/validate.js';
import { median } from './stats.js';

type Mode = 'baseline' | 'stream-json' | 'json-parse' | 'ndjson' | 'csv';

interface Sample {
  ms: number;
  records: number;
  rejected: number;
  bytes: number;
  maxRssMB: number;
}

// ---- worker: one measurement, result as JSON on stdout ---------------------------------------

async function measure(mode: Mode, file: string): Promise<Sample> {
  const started = performance.now();
  let records = 0;
  let rejected = 0;
  const check = (value: unknown) => {
    records++;
    if (!validateRecord(value).ok) rejected++;
  };
  if (mode === 'json-parse') {
    const all = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    for (const value of all) check(value);
  } else if (mode !== 'baseline') {
    const format: Format = mode === 'stream-json' ? 'json' : mode;
    // 64 KiB reads, about what an S3 GetObject body delivers per chunk.
    for await (const item of parseRecords(format, createReadStream(file, { highWaterMark: 64 * 1024 }))) {
      if (item.kind === 'record') {
        check(item.value);
      } else {
        records++;
        rejected++;
      }
    }
  }
  const ms = performance.now() - started;
  const bytes = mode === 'baseline' ? 0 : statSync(file).size;
  return { ms, records, rejected, bytes, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

// ---- data: realistic shipment records, ~1% of them invalid -----------------------------------

const STATUSES = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'DELAYED'];
const CARRIERS = ['UPS', 'DHL', 'FedEx', 'USPS', 'La Poste', 'Correios'];
const CITIES = ['New York, NY', 'São Paulo', 'Zürich', '東京', 'Lagos', 'Paris', 'Chicago, IL', 'Mumbai'];

function record(i: number) {
  const start = Date.UTC(2026, 0, 1);
  return {
    shipment_id: `SH${String(i).padStart(9, '0')}`,
    status: STATUSES[i % STATUSES.length]!,
    // Every 100th record has an impossible date, so the reject path is exercised too.
    timestamp: i % 100 === 99 ? '2026-13-45T10:00:00Z' : new Date(start + i * 7_919).toISOString(),
    carrier: CARRIERS[i % CARRIERS.length]!,
    origin: CITIES[i % CITIES.length]!,
    destination: CITIES[(i * 7) % CITIES.length]!,
    weight_kg: Math.round(((i * 37) % 5000) + 1) / 100,
    reference: `PO-${(i * 2_654_435_761) % 1e9}`,
    signed_by: i % 5 === 4 ? 'J. "Jo" Doe' : '',
  };
}

const csvCell = (v: string | number) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));

type Written = 'json' | 'ndjson' | 'csv';

/** Writes each format until it reaches about `targetBytes`, so all three files are of similar size. */
async function generate(dir: string, targetBytes: number): Promise<Record<Written, string>> {
  const header = `${Object.keys(record(0)).join(',')}\n`;
  const formats: Record<Written, { start: string; line: (i: number) => string; end: string }> = {
    json: { start: '[\n', line: (i) => `${i === 0 ? '' : ',\n'}${JSON.stringify(record(i))}`, end: '\n]\n' },
    ndjson: { start: '', line: (i) => `${JSON.stringify(record(i))}\n`, end: '' },
    csv: { start: header, line: (i) => `${Object.values(record(i)).map(csvCell).join(',')}\n`, end: '' },
  };
  const files = {} as Record<Written, string>;
  for (const [name, format] of Object.entries(formats) as Array<[Written, (typeof formats)[Written]]>) {
    files[name] = join(dir, `shipments.${name}`);
    const out = createWriteStream(files[name]);
    let written = 0;
    for (let i = 0; written < targetBytes; i++) {
      const text = i === 0 ? format.start + format.line(i) : format.line(i);
      written += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end(format.end);
    await finished(out);
  }
  return files;
}

// ---- driver ---------------------------------------------------------------------------------

function runWorker(mode: Mode, file: string): Sample {
  const result = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--worker', mode, file], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`worker ${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Sample;
}

async function main(): Promise<void> {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const runs = process.argv.includes('--runs') ? Number(arg('--runs')) : 5;
  const mb = process.argv.includes('--mb') ? Number(arg('--mb')) : 100;
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-parse-'));
  try {
    console.log(`generating ~${mb} MB per format in ${dir} …`);
    const files = await generate(dir, mb * 1e6);
    // A tenth of the size, to show which peak RSS grows with the file and which stays flat.
    const small = await generate(mkdtempSync(join(dir, 'small-')), (mb / 10) * 1e6);
    const cases: Array<[string, Mode, string, string?]> = [
      ['worker baseline (imports, no parsing)', 'baseline', files.json],
      ['JSON: streaming parser + validation', 'stream-json', files.json],
      ['JSON: JSON.parse(readFileSync) + valid.', 'json-parse', files.json],
      ['NDJSON: streaming parser + validation', 'ndjson', files.ndjson],
      ['CSV: streaming parser + validation', 'csv', files.csv],
      ['JSON streaming, 1/10 size', 'stream-json', small.json, 'small-stream'],
      ['JSON.parse, 1/10 size', 'json-parse', small.json, 'small-parse'],
    ];
    const results = new Map<string, { ms: number; rss: number; mbps: number }>();
    for (const [label, mode, file, id = mode] of cases) {
      const samples = Array.from({ length: runs }, () => runWorker(mode, file));
      const ms = median(samples.map((s) => s.ms));
      const rss = median(samples.map((s) => s.maxRssMB));
      const { bytes, records, rejected } = samples[0]!;
      const mbps = bytes / 1e6 / (ms / 1000);
      results.set(id, { ms, rss, mbps });
      const size = bytes ? `${(bytes / 1e6).toFixed(0)} MB, ${records} records (${rejected} rejected)` : '';
      console.log(
        `${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${mbps ? mbps.toFixed(1).padStart(6) : '     -'} MB/s  peak RSS ${rss.toFixed(0).padStart(5)} MB   ${size}`,
      );
    }
    const get = (id: string) => results.get(id)!;
    const [stream, whole, base] = [get('stream-json'), get('json-parse'), get('baseline')];
    const above = (id: string) => `${(get(id).rss - base.rss).toFixed(0)} MB`;
    console.log(`\nmedians of ${runs} runs each; a worker that only imports the parsers peaks at ${base.rss.toFixed(0)} MB RSS`);
    console.log(`streaming JSON vs JSON.parse: ${(stream.ms / whole.ms).toFixed(2)}× the time, ${(stream.rss / whole.rss).toFixed(2)}× the peak RSS`);
    console.log(`peak RSS above baseline, ${mb / 10} MB → ${mb} MB file: streaming ${above('small-stream')} → ${above('stream-json')}, JSON.parse ${above('small-parse')} → ${above('json-parse')}`);
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  console.log(JSON.stringify(await measure(process.argv[3] as Mode, process.argv[4]!)));
} else {
  await main();
}
