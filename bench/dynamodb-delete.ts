/**
 * The local DynamoDB's memory while it deletes a big table (what `tap destroy` of a used stack does):
 * fills a table with a global secondary index, then DeleteTable, sampling the server process's RSS
 * (/proc, every 50 ms) until the table is gone. Side by side, in the same run, each in a fresh child
 * process and data dir:
 *   - keys:  dynalite's own DeleteTable (every key read into one array, one batch of deletes), with
 *            tap's other repair (iterators that close) as before this change;
 *   - range: tap's openDynalite (a ranged `clear` over each of the table's key prefixes).
 *   npx tsx bench/dynamodb-delete.ts [--items 400000] [--runs 1]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { median } from './stats.js';

type Mode = 'keys' | 'range';
const MB = (n: number) => `${(n / 1048576).toFixed(0)} MB`;

/** The child: a dynalite server on a free port, built one way or the other. */
async function serve(mode: Mode, dir: string): Promise<void> {
  const options = { path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  let server: import('node:http').Server;
  if (mode === 'range') {
    const { openDynalite } = await import('../src/local/services/dynamodb/dynalite.js');
    server = openDynalite(options).server;
  } else {
    const require = createRequire(import.meta.url);
    const dbModule = require('dynalite/db/index.js') as { create(o: unknown): { db: Record<string, unknown> & { keys(o?: unknown): AsyncIterable<unknown> } } };
    const create = dbModule.create;
    dbModule.create = (o) => {
      const store = create(o);
      store.db.createKeyStream = (x: unknown) => Readable.from(store.db.keys(x));
      return store;
    };
    server = (require('dynalite') as (o: unknown) => import('node:http').Server)(options);
  }
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function once(mode: Mode, items: number): Promise<{ loaded: number; peak: number; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), `tap-bench-ddbdel-${mode}-`));
  const child = fork(import.meta.filename, [], { env: { ...process.env, BENCH_CHILD: mode, BENCH_DIR: dir }, execArgv: process.execArgv });
  try {
    const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
    const ddb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' }, maxAttempts: 10 });
    await ddb.send(new CreateTableCommand({
      TableName: 'big',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    // Shipment-event-like items of ~250 bytes, 16 batches of 25 in flight.
    let next = 0;
    const writer = async () => {
      for (let start = (next += 25) - 25; start < items; start = (next += 25) - 25) {
        const batch = Array.from({ length: Math.min(25, items - start) }, (_, i) => {
          const n = start + i;
          return { PutRequest: { Item: { pk: { S: `SHP-${n % 5000}` }, sk: { S: `2026-12-01T00:00:00.${String(n).padStart(7, '0')}Z` }, g: { S: `file-${n % 40}` }, status: { S: 'DELIVERED' }, note: { S: 'x'.repeat(150) } } } };
        });
        await ddb.send(new BatchWriteItemCommand({ RequestItems: { big: batch } }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    await new Promise((r) => setTimeout(r, 2000)); // let the write buffers settle before the baseline
    const loaded = rss(child.pid!);
    let peak = loaded;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(child.pid!))), 50);
    const started = performance.now();
    await ddb.send(new DeleteTableCommand({ TableName: 'big' }));
    for (;;) {
      try {
        await ddb.send(new DescribeTableCommand({ TableName: 'big' }));
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        break;
      }
    }
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000)); // and the compaction that follows
    clearInterval(sampler);
    ddb.destroy();
    return { loaded, peak, ms };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: 'string', default: '400000' }, runs: { type: 'string', default: '1' } } });
  const items = Number(values.items);
  const runs = Number(values.runs);
  const results: Record<Mode, Array<{ loaded: number; peak: number; ms: number }>> = { keys: [], range: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of ['keys', 'range'] as const) {
      const r = await once(mode, items);
      results[mode].push(r);
      console.log(`run ${i + 1} ${mode.padEnd(5)}: RSS ${MB(r.loaded)} after loading ${items} items → peak ${MB(r.peak)} during DeleteTable (+${MB(r.peak - r.loaded)}), gone in ${(r.ms / 1000).toFixed(1)} s`);
    }
  }
  console.log(`\nmedians of ${runs} run(s), ${items} items with a GSI:`);
  for (const mode of ['keys', 'range'] as const) {
    const rs = results[mode];
    console.log(`  ${mode === 'keys' ? "dynalite's delete (keys in memory)" : 'ranged clear (this change)       '}  peak RSS ${MB(median(rs.map((r) => r.peak)))}, growth ${MB(median(rs.map((r) => r.peak - r.loaded)))}, ${(median(rs.map((r) => r.ms)) / 1000).toFixed(1)} s`);
  }
}

if (process.env.BENCH_CHILD) await serve(process.env.BENCH_CHILD as Mode, process.env.BENCH_DIR!);
else await main();
