/**
 * Throughput of the local S3 through the real SDK client, against an in-process server as tests start
 * it (a fresh data dir, a free port): PutObject ops/s for 1 KB objects (one at a time and 16 in
 * flight), and MB/s for a large object (200 MB by default) sent as one streamed PutObject (aws-chunked,
 * CRC32 trailer) vs a lib-storage Upload (parallel multipart), plus GetObject of it. Bodies come from
 * a file, so the process's peak RSS shows whether anything buffers whole objects. Median of 5 runs.
 *   npx tsx bench/s3.ts [--runs 5] [--mb 200] [--small 1000]
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LocalAws } from '../src/local/server.js';
import { s3Service } from '../src/local/services/s3/service.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, mb: { type: 'string', default: '200' }, small: { type: 'string', default: '1000' } } });
const runs = Number(values.runs);
const mb = Number(values.mb);
const small = Number(values.small);

const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-s3-'));
const aws = await new LocalAws({ dataDir, port: 0, services: [s3Service] }).start();
const s3 = new S3Client({ endpoint: aws.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
const Bucket = 'bench';
await s3.send(new CreateBucketCommand({ Bucket }));

// Written 1 MB at a time, so the bench's own data does not show in the peak RSS.
const bigFile = join(dataDir, 'big.bin');
writeFileSync(bigFile, '');
for (let i = 0; i < mb; i++) appendFileSync(bigFile, randomBytes(1024 * 1024));
const kilobyte = randomBytes(1024);

async function putSmall(concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < small) {
        const i = next++;
        await s3.send(new PutObjectCommand({ Bucket, Key: `small/${i}`, Body: kilobyte }));
      }
    }),
  );
  return small / ((performance.now() - started) / 1000);
}

async function timedMBps(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return mb / ((performance.now() - started) / 1000);
}

const singlePut = () =>
  s3.send(new PutObjectCommand({ Bucket, Key: 'big-single', Body: createReadStream(bigFile), ContentLength: mb * 1024 * 1024 }));
const multipart = () =>
  new Upload({ client: s3, params: { Bucket, Key: 'big-multipart', Body: createReadStream(bigFile) }, partSize: 8 * 1024 * 1024, queueSize: 4 }).done();
const download = async () => {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key: 'big-single' }));
  await pipeline(Body as NodeJS.ReadableStream, new Writable({ write: (_c, _e, done) => done() }));
};

const results: Record<string, number[]> = { 'PutObject 1 KB, 1 in flight (ops/s)': [], 'PutObject 1 KB, 16 in flight (ops/s)': [] };
const big = [`PutObject ${mb} MB, one streamed request (MB/s)`, `lib-storage Upload ${mb} MB, 8 MB parts x4 (MB/s)`, `GetObject ${mb} MB (MB/s)`];
for (const name of big) results[name] = [];

try {
  for (let run = 0; run < runs; run++) {
    results['PutObject 1 KB, 1 in flight (ops/s)']!.push(await putSmall(1));
    results['PutObject 1 KB, 16 in flight (ops/s)']!.push(await putSmall(16));
    results[big[0]!]!.push(await timedMBps(singlePut));
    results[big[1]!]!.push(await timedMBps(multipart));
    results[big[2]!]!.push(await timedMBps(download));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'big-single' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'big-multipart' }));
    process.stderr.write(`run ${run + 1}/${runs} done\n`);
  }
  for (const [name, samples] of Object.entries(results)) {
    console.log(`${name.padEnd(52)} median ${median(samples).toFixed(0).padStart(6)}   min ${Math.min(...samples).toFixed(0).padStart(6)}   max ${Math.max(...samples).toFixed(0).padStart(6)}`);
  }
  console.log(`peak RSS of the process (client and server): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await aws.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
