/**
 * Upload → webhook delivery received, through the whole local pipeline (S3 notification → SQS → the
 * processor → the delivery state machine → the notifier → a receiver here), deployed with `tap deploy
 * --webhook-url`. Beside it, in the same run: upload → metadata visible (the processing alone), so the
 * difference is what delivery adds.
 *   npm run build && npx tsx bench/delivery.ts [--files 30]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { median, percentile } from './stats.js';
import { benchWorkspace } from './workspace.js';

const files = Number(process.argv[process.argv.indexOf('--files') + 1]) || 30;
const { tap, close } = benchWorkspace('delivery');

// The receiver: resolves the waiter of each key when its delivery arrives.
const waiting = new Map<string, (at: number) => void>();
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (d: Buffer) => (raw += d));
  req.on('end', () => {
    const at = performance.now();
    res.writeHead(200).end();
    waiting.get((JSON.parse(raw) as { key: string }).key)?.(at);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

try {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const deployed = JSON.parse(tap('deploy', '--env', 'bench', '--webhook-url', url, '--json'));
  const config = { endpoint: deployed.target.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ddb = new DynamoDBClient(config);
  const body = JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ shipment_id: `B${i}`, status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', carrier: 'UPS' })));
  const processed: number[] = [];
  const delivered: number[] = [];
  for (let i = 0; i < files + 1; i++) {
    const key = `incoming/bench-${i}.json`;
    const arrived = new Promise<number>((resolve) => waiting.set(key, resolve));
    const started = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: deployed.outputs.UploadBucketName, Key: key, Body: body }));
    let visible = 0;
    for (;;) {
      const found = await ddb.send(new QueryCommand({ TableName: deployed.outputs.MetadataTableName, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': { S: key } } }));
      if (found.Items?.length) {
        visible = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const at = await arrived;
    // The first file pays the functions' cold starts: not counted.
    if (i > 0) {
      processed.push(visible - started);
      delivered.push(at - started);
    }
  }
  const row = (name: string, v: number[]) => `${name.padEnd(34)} p50 ${percentile(v, 50).toFixed(0).padStart(6)} ms  p95 ${percentile(v, 95).toFixed(0).padStart(6)} ms  median ${median(v).toFixed(0).padStart(6)} ms  max ${Math.max(...v).toFixed(0).padStart(6)} ms`;
  console.log(`${files} files one after another (the first, cold, not counted); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(row('upload → metadata visible', processed));
  console.log(row('upload → webhook delivery received', delivered));
} finally {
  server.close();
  close();
}
