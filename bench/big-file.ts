/**
 * Records per second end to end (S3 PutObject → the metadata row says SUCCESS) for the small path
 * (the processor, one invocation) and the big path (Step Functions: Prepare → distributed map of
 * Batch → Finish), side by side with a bare BatchWriteItem loop into the same local events table at
 * the big path's write concurrency (the local limit the issue asks the big path to reach half of).
 * The same NDJSON file each time, under a new key; the threshold is switched on the processor itself.
 *   npm run build && npx tsx bench/big-file.ts [--records 50000] [--rounds 3] [--bare-concurrency 4,16,32]
 * Before/after for the small path: TAP_BENCH_BIN=<an older build's bin/tap.js> … --small-only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadavg, uptime } from 'node:os';
import { writeBigFile } from '../test/helpers/big-files.js';
import { median } from './stats.js';
import { benchWorkspace } from './workspace.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const records = Number(arg('--records', '50000'));
const rounds = Number(arg('--rounds', '3'));
const bareConcurrency = arg('--bare-concurrency', '4,16,32').split(',').map(Number);
const smallOnly = process.argv.includes('--small-only');
const { dir, tap, close } = benchWorkspace('big-file');

try {
  const deployed = JSON.parse(tap('deploy', '--env', 'bench', '--json'));
  const out = deployed.outputs as Record<string, string>;
  const config = { endpoint: deployed.target.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const lambda = new LambdaClient(config);
  const path = join(dir, 'bench.ndjson');
  const { bytes } = await writeBigFile(path, 'ndjson', records, 0);
  const body = readFileSync(path);

  const setThreshold = async (threshold: number) => {
    const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: out.ProcessorFunctionName }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: out.ProcessorFunctionName, Environment: { Variables: { ...current.Environment?.Variables, BIG_FILE_THRESHOLD_BYTES: String(threshold) } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: out.ProcessorFunctionName });
  };
  /** Seconds from PutObject to a SUCCESS row, and the row's own duration. */
  const endToEnd = async (key: string) => {
    const started = performance.now();
    const put = await s3.send(new PutObjectCommand({ Bucket: out.UploadBucketName, Key: key, Body: body }));
    for (;;) {
      const rows = (await docs.send(new QueryCommand({ TableName: out.MetadataTableName, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': key } }))).Items ?? [];
      const row = rows.find((r) => r['version_id'] === put.VersionId && r['processing_status'] !== 'PROCESSING');
      if (row) {
        if (row['processing_status'] !== 'SUCCESS' || Number(row['records_processed']) !== records) throw new Error(`${key}: ${JSON.stringify(row)}`);
        return { seconds: (performance.now() - started) / 1000, inside: Number(row['processing_duration_ms']) / 1000 };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const bare = async (concurrency: number) => {
    const items = Array.from({ length: records }, (_, i) => ({ shipment_id: `BARE-${i}`, event_key: `2026-01-05T10:00:00Z#${i.toString(16).padStart(16, '0')}`, status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', carrier: 'UPS', service: 'Ground', tracking_number: '1Z000000000000', origin: 'Rotterdam, NL', destination: 'Hamburg, DE', weight_kg: 1.5, pieces: 2, record_number: i + 1, source_key: 'bare', environment: 'bench' }));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < items.length) {
          let batch = items.slice(next, next + 25).map((Item) => ({ PutRequest: { Item } }));
          next += 25;
          while (batch.length) {
            const res = await docs.send(new BatchWriteCommand({ RequestItems: { [out.ShipmentEventsTableName!]: batch } }));
            batch = (res.UnprocessedItems?.[out.ShipmentEventsTableName!] ?? []) as typeof batch;
          }
        }
      }),
    );
    return (performance.now() - started) / 1000;
  };

  const small: number[] = [];
  const smallInside: number[] = [];
  const big: number[] = [];
  const bareRates = new Map<number, number[]>(bareConcurrency.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    if (!smallOnly) await setThreshold(1024 ** 3);
    const s = await endToEnd(`incoming/bench-small-${r}.ndjson`);
    small.push(records / s.seconds);
    smallInside.push(records / s.inside);
    if (smallOnly) continue;
    await setThreshold(0);
    big.push(records / (await endToEnd(`incoming/bench-big-${r}.ndjson`)).seconds);
    for (const c of bareConcurrency) bareRates.get(c)!.push(records / (await bare(c)));
  }
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US').padStart(8)} records/s`;
  console.log(`${records.toLocaleString('en-US')} records (${(bytes / 1e6).toFixed(1)} MB NDJSON), ${rounds} rounds, medians; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (uptime ${Math.round(uptime())} s)`);
  console.log(`small path, end to end             ${fmt(median(small))}   (inside the processor ${fmt(median(smallInside))})`);
  if (smallOnly) process.exit(0);
  console.log(`big path, end to end               ${fmt(median(big))}`);
  for (const [c, rates] of bareRates) console.log(`bare BatchWriteItem, ${String(c).padStart(2)} in flight    ${fmt(median(rates))}`);
  // The local limit: the fastest bare loop, whichever concurrency that was.
  const [limitAt, reference] = [...bareRates].map(([c, rates]) => [c, median(rates)] as const).reduce((a, b) => (b[1] > a[1] ? b : a));
  console.log(`ratios to the local limit (the bare loop at ${limitAt} in flight): small ${(median(small) / reference).toFixed(2)}, big ${(median(big) / reference).toFixed(2)} (goal: big ≥ 0.5)`);
} finally {
  close();
}
