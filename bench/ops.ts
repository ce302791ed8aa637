/**
 * The operating commands against the local AWS, which runs as a process of its own (as `tap local
 * start` runs it), so that client and server do not share one event loop:
 *   1. upload throughput of a 200 MB file: tap's upload (lib-storage, parallel parts) vs one plain PutObject;
 *   2. `tap status` wall time, as a process (the built CLI), vs `aws dynamodb query` where the AWS CLI is installed;
 *   3. redrive of 1,000 dead-lettered messages: all (a message move task) and `--file` (receive → send → delete).
 *   npx tsx bench/ops.ts [--runs 3] [--mb 200] [--messages 1000]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { redrive } from '../src/ops/dlq-redrive.js';
import { queueDepth } from '../src/ops/queue-messages.js';
import { silentReporter } from '../src/ops/reporter.js';
import { status } from '../src/ops/status.js';
import { uploadFile } from '../src/ops/upload-file.js';
import { createOpsPipeline, type OpsPipeline } from '../test/helpers/ops-pipeline.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, mb: { type: 'string', default: '200' }, messages: { type: 'string', default: '1000' } } });
const RUNS = Number(values.runs);
const MB = Number(values.mb);
const MESSAGES = Number(values.messages);
const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tap-bench-ops-'));
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

// ---- the local AWS, in its own process ----------------------------------------------------------

async function startServer(): Promise<{ endpoint: string; stop(): void }> {
  // node itself (not the tsx wrapper), so that stopping it stops the server.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/local/main.ts'), '--port', '0', '--data-dir', join(work, 'local')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const endpoint = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.on('exit', (code) => fail(new Error(`local AWS exited (${code})`)));
  });
  return { endpoint, stop: () => void child.kill('SIGTERM') };
}

// ---- 1. upload throughput -----------------------------------------------------------------------

async function bigFile(path: string, mb: number): Promise<number> {
  // Shipment-like NDJSON text (compressible content does not matter to S3, but it is what users send).
  const file = await open(path, 'w');
  const line = `${JSON.stringify({ shipment_id: 'SHP-0000001', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00.000Z', carrier: 'UPS', weight_kg: 12.5 })}\n`;
  const chunk = line.repeat(Math.ceil((1024 * 1024) / line.length)).slice(0, 1024 * 1024);
  for (let i = 0; i < mb; i++) await file.write(chunk);
  await file.close();
  return mb * 1024 * 1024;
}

async function benchUpload(ops: OpsPipeline): Promise<void> {
  const path = join(work, 'big.ndjson');
  const size = await bigFile(path, MB);
  const s3 = await ops.clients.s3();
  const tap: number[] = [];
  const plain: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let started = performance.now();
    await uploadFile(s3, { path, size, bucket: ops.pipeline.bucket, key: `bench/tap-${run}.ndjson` });
    tap.push(performance.now() - started);
    started = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: ops.pipeline.bucket, Key: `bench/plain-${run}.ndjson`, Body: createReadStream(path), ContentLength: size }));
    plain.push(performance.now() - started);
  }
  const mbps = (ms: number) => size / 1024 / 1024 / (ms / 1000);
  say(`upload ${MB} MiB, tap (16 MiB parts × 4 in flight)  median ${median(tap).toFixed(0)} ms = ${mbps(median(tap)).toFixed(1)} MiB/s   (runs: ${tap.map((t) => t.toFixed(0)).join(', ')})`);
  say(`upload ${MB} MiB, one plain PutObject             median ${median(plain).toFixed(0)} ms = ${mbps(median(plain)).toFixed(1)} MiB/s   (runs: ${plain.map((t) => t.toFixed(0)).join(', ')})`);
  say(`  tap takes ${(median(tap) / median(plain)).toFixed(2)}× as long as one PutObject (on loopback one stream is not network-bound, and the local S3 copies the parts again on Complete)`);
  rmSync(path);
}

// ---- 2. tap status wall time --------------------------------------------------------------------

async function seedMetadata(ops: OpsPipeline, count: number): Promise<void> {
  const docs = await ops.clients.documents();
  const now = Date.now();
  for (let i = 0; i < count; i += 25) {
    const items = Array.from({ length: Math.min(25, count - i) }, (_, j) => {
      const n = i + j;
      return {
        PutRequest: {
          Item: {
            filename: `incoming/day/file-${n}.json`,
            upload_timestamp: new Date(now - n * 30_000).toISOString(),
            processing_status: n % 20 === 0 ? 'FAILED' : 'SUCCESS',
            processing_duration_ms: 100 + (n % 50),
            records_processed: 1000,
            records_rejected: n % 7,
            file_size: 250_000,
            environment: 'bench',
            bucket: ops.pipeline.bucket,
            processed_at: new Date(now - n * 30_000 + 500).toISOString(),
          },
        },
      };
    });
    await docs.send(new BatchWriteCommand({ RequestItems: { [ops.pipeline.metadataTable]: items } }));
  }
}

/** The CLI as users run it: built from src into a scratch folder (dist/ is shared), then `node bin/tap.js`. */
function buildCli(): string {
  const dir = join(work, 'cli');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { stdio: 'ignore' });
  copyFileSync(join(ROOT, 'bin/tap.js'), join(dir, 'bin/tap.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin/tap.js');
}

function wallTime(command: string, args: string[], env: Record<string, string>, cwd: string): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return performance.now() - started;
}

async function benchStatus(ops: OpsPipeline, endpoint: string): Promise<void> {
  await seedMetadata(ops, 2000);
  const inProcess: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 5); run++) {
    const started = performance.now();
    await status(ops.clients, ops.pipeline, { limit: 20, sinceMs: 86_400_000 }, silentReporter);
    inProcess.push(performance.now() - started);
  }
  say(`tap status (operation, 2,000 files in 24h, totals over all)  median ${median(inProcess).toFixed(0)} ms`);

  const bin = buildCli();
  const cwd = join(work, 'cwd');
  mkdirSync(cwd, { recursive: true });
  // The CLI reads the outputs from the stack, which createOpsPipeline deployed as `tap deploy` does.
  const env = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', NO_COLOR: '1' };
  const cliArgs = [bin, 'status', '--env', ops.pipeline.env, '--endpoint-url', endpoint, '--json'];
  const probe = spawnSync(process.execPath, cliArgs, { env: { ...process.env, ...env }, cwd });
  if (probe.status !== 0) {
    say(`tap status (process): not measured: ${probe.stderr.toString().trim().split('\n')[0]}`);
    return;
  }
  const cli: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 5); run++) cli.push(wallTime(process.execPath, cliArgs, env, cwd));
  say(`tap status (node bin/tap.js … --json, wall)                  median ${median(cli).toFixed(0)} ms`);

  if (spawnSync('aws', ['--version']).status !== 0) {
    say('aws dynamodb query: the AWS CLI is not installed; not measured');
    return;
  }
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const awsArgs = ['dynamodb', 'query', '--endpoint-url', endpoint, '--table-name', ops.pipeline.metadataTable, '--index-name', ops.pipeline.statusIndex, '--key-condition-expression', 'processing_status = :s AND upload_timestamp >= :t', '--expression-attribute-values', JSON.stringify({ ':s': { S: 'SUCCESS' }, ':t': { S: since } }), '--no-scan-index-forward'];
  const aws: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 5); run++) aws.push(wallTime('aws', awsArgs, env, cwd));
  say(`aws dynamodb query (one status, all pages, wall)            median ${median(aws).toFixed(0)} ms`);
  say(`  ratio tap/aws: ${(median(cli) / median(aws)).toFixed(2)}×  (${execFileSync('aws', ['--version']).toString().trim().split(' ')[0]})`);
}

// ---- 3. redrive of 1,000 messages ---------------------------------------------------------------

async function fillDlq(ops: OpsPipeline, count: number): Promise<void> {
  const sqs = await ops.clients.sqs();
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: ops.pipeline.bucket }, object: { key: `incoming/r-${(i + j) % 100}.json`, size: 10, versionId: `v${i + j}` } } }] }),
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: ops.pipeline.dlqUrl, Entries: entries }));
  }
}

async function drain(ops: OpsPipeline, url: string): Promise<void> {
  const sqs = await ops.clients.sqs();
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages.length && (await queueDepth(sqs, url)).visible === 0) return;
    if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}

async function benchRedrive(ops: OpsPipeline): Promise<void> {
  const all: number[] = [];
  const one: number[] = [];
  let moved = 0;
  for (let run = 0; run < RUNS; run++) {
    await fillDlq(ops, MESSAGES);
    let started = performance.now();
    // 10 of the 1,000 messages are about r-7.json (keys cycle through 100 names).
    const file = await redrive(ops.clients, ops.pipeline, { file: 'r-7.json', dryRun: false, pollMs: 100 }, silentReporter);
    one.push(performance.now() - started);
    moved = file.moved;
    started = performance.now();
    const result = await redrive(ops.clients, ops.pipeline, { dryRun: false, pollMs: 100 }, silentReporter);
    all.push(performance.now() - started);
    if (result.moved !== MESSAGES - moved) throw new Error(`moved ${result.moved}, expected ${MESSAGES - moved}`);
    await drain(ops, ops.pipeline.queueUrl);
  }
  say(`redrive --file (scan ${MESSAGES}, move ${moved})                   median ${median(one).toFixed(0)} ms = ${(MESSAGES / (median(one) / 1000)).toFixed(0)} messages scanned/s`);
  say(`redrive all (move task, ${MESSAGES - moved} messages, 100 ms polls)    median ${median(all).toFixed(0)} ms = ${((MESSAGES - moved) / (median(all) / 1000)).toFixed(0)} messages/s`);
}

// ---- main ---------------------------------------------------------------------------------------

const server = await startServer();
try {
  const clientConfig = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  const ops = await createOpsPipeline({ endpoint: server.endpoint, clientConfig }, 'bench');
  say(`local AWS at ${server.endpoint}; Node ${process.version}; runs ${RUNS}`);
  await benchUpload(ops);
  await benchStatus(ops, server.endpoint);
  await benchRedrive(ops);
  ops.clients.destroy();
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}
