/**
 * The local S3's write path next to its physical limit: PutObject of 1 KiB from one SDK client, one
 * at a time and 16 in flight, against
 *   - the local S3 (durable: a small body is written whole, with its metadata, into a spare file
 *     made ahead, with O_DSYNC, so an acknowledged PUT costs one synced write; see object-store.ts);
 *   - a bare node:http server that writes each body to a file and renames it (issue 14's yardstick);
 *   - the same bare server made durable the usual way (write + fsync, rename, folder fsync per
 *     request), which shows what the durability costs on this disk;
 *   - the same bare server with one synced write per request (O_DSYNC) and nothing else: the floor
 *     for any PUT that is on disk before it is acknowledged, which the local S3 is measured against too.
 * Same client, same process, interleaved run by run; with the CPU time per put of the whole process.
 * Issue 14's goal: the local S3 within 2× of the bare server. The disk's sync time drifts from one
 * minute to the next on a virtual machine, so besides the ratio of the medians the bench prints the
 * median of the ratios of each run's pair (measured seconds apart). `--compare DIR` adds the local S3
 * of another checkout (DIR/src/local, e.g. main's, exported with git archive) to the same run.
 *   npx tsx bench/s3-write.ts [--runs 5] [--puts 400] [--compare DIR]
 */
import { randomBytes } from 'node:crypto';
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalAws } from '../src/local/server.js';
import { s3Service } from '../src/local/services/s3/service.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, puts: { type: 'string', default: '400' }, compare: { type: 'string' } },
});
const runs = Number(values.runs);
const puts = Number(values.puts);
const work = mkdtempSync(join(tmpdir(), 'tap-bench-s3-write-'));
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const kilobyte = randomBytes(1024);

/** A server that stores each PUT body under its path: written to a temp file, renamed into place. */
async function bareServer(dir: string, durable: 'no' | 'fsync' | 'one-sync'): Promise<{ endpoint: string; server: Server }> {
  await mkdir(dir, { recursive: true });
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const tmp = join(dir, `${++n}.tmp`);
      const path = join(dir, encodeURIComponent(req.url ?? '/'));
      const flag = durable === 'one-sync' ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC : 'w';
      await writeFile(tmp, Buffer.concat(chunks), { flag, ...(durable === 'fsync' && { flush: true }) });
      await rename(tmp, path);
      if (durable === 'fsync') {
        const folder = await open(dir, 'r');
        await folder.sync();
        await folder.close();
      }
      res.writeHead(200, { etag: '"0"' }).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

function client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}

const cpuPerPut = new Map<string, number[]>();

async function putsPerSecond(s3: S3Client, concurrency: number, prefix: string, cpuKey?: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < puts) {
        const i = next++;
        await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `${prefix}/${i}`, Body: kilobyte }));
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  if (cpuKey) cpuPerPut.set(cpuKey, [...(cpuPerPut.get(cpuKey) ?? []), (used.user + used.system) / 1000 / puts]);
  return puts / ((performance.now() - started) / 1000);
}

const aws = await new LocalAws({ dataDir: join(work, 'local'), port: 0, services: [s3Service] }).start();
const other = values.compare ? await otherCheckout(resolve(values.compare)) : undefined;
const bare = await bareServer(join(work, 'bare'), 'no');
const bareDurable = await bareServer(join(work, 'bare-durable'), 'fsync');
const bareOneSync = await bareServer(join(work, 'bare-one-sync'), 'one-sync');
const local = { name: 'local S3 (durable)', s3: client(aws.endpoint) };
const yardstick = { name: 'bare node:http, write + rename', s3: client(bare.endpoint) };
const fsynced = { name: 'bare node:http, + fsync file and folder', s3: client(bareDurable.endpoint) };
const floor = { name: 'bare node:http, one O_DSYNC write + rename', s3: client(bareOneSync.endpoint) };
const otherLocal = other && { name: `local S3 of ${values.compare}`, s3: client(other.endpoint) };
const targets = [local, yardstick, fsynced, floor, ...(otherLocal ? [otherLocal] : [])];
for (const t of [local, ...(otherLocal ? [otherLocal] : [])]) await t.s3.send(new CreateBucketCommand({ Bucket: 'bench' }));

/** The same server from another checkout's sources, in this process. */
async function otherCheckout(dir: string): Promise<{ endpoint: string; stop(): Promise<unknown> }> {
  const { LocalAws: Other } = (await import(join(dir, 'src/local/server.ts'))) as typeof import('../src/local/server.js');
  const { s3Service: service } = (await import(join(dir, 'src/local/services/s3/service.ts'))) as typeof import('../src/local/services/s3/service.js');
  return new Other({ dataDir: join(work, 'other'), port: 0, services: [service] }).start();
}

const results = new Map<string, number[]>();
const load = [loadavg()];
try {
  for (const t of targets) await putsPerSecond(t.s3, 4, 'warm'); // connections, JIT
  for (let run = 0; run < runs; run++) {
    for (const inFlight of [1, 16]) {
      for (const t of targets) {
        const key = `${t.name}|${inFlight}`;
        results.set(key, [...(results.get(key) ?? []), await putsPerSecond(t.s3, inFlight, `r${run}-${inFlight}`, key)]);
      }
    }
  }
  load.push(loadavg());
  process.stdout.write(`PutObject 1 KiB, ${puts} per run, medians of ${runs} runs (ops/s)\n`);
  for (const inFlight of [1, 16]) {
    process.stdout.write(`\n${inFlight} in flight\n`);
    const of = (name: string) => median(results.get(`${name}|${inFlight}`)!);
    for (const t of targets) {
      const cpu = median(cpuPerPut.get(`${t.name}|${inFlight}`)!);
      process.stdout.write(`  ${t.name.padEnd(42)} ${of(t.name).toFixed(0).padStart(6)} ops/s   ${cpu.toFixed(2)} ms CPU per put (client and server)\n`);
    }
    const ratio = (fast: { name: string }, slow: { name: string }) => {
      const paired = results.get(`${fast.name}|${inFlight}`)!.map((f, run) => f / results.get(`${slow.name}|${inFlight}`)![run]!);
      return `${(of(fast.name) / of(slow.name)).toFixed(2)}× (run by run, median ${median(paired).toFixed(2)}×)`;
    };
    process.stdout.write(`  bare / local S3: ${ratio(yardstick, local)}; goal ≤ 2×\n`);
    process.stdout.write(`  one synced write / local S3: ${ratio(floor, local)}; the floor for a durable PUT\n`);
    process.stdout.write(`  fsync file and folder / local S3: ${ratio(fsynced, local)}\n`);
    if (otherLocal) process.stdout.write(`  bare / local S3 of ${values.compare}: ${ratio(yardstick, otherLocal)}\n`);
  }
  process.stdout.write(`\nload average before ${load[0]!.map((l) => l.toFixed(2)).join(' ')}, after ${load[1]!.map((l) => l.toFixed(2)).join(' ')} (2 cores here)\n`);
} finally {
  for (const t of targets) t.s3.destroy();
  await aws.stop();
  await other?.stop();
  bare.server.close();
  bareDurable.server.close();
  bareOneSync.server.close();
  rmSync(work, { recursive: true, force: true });
}
