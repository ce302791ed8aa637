/**
 * Upload → metadata-visible latency of a 1 KB file through the whole local pipeline (S3 notification →
 * SQS → event source mapping → the real processor → DynamoDB), deployed with `tap deploy`.
 *   npm run build && npx tsx bench/pipeline.ts [--files 50]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const files = Number(process.argv[process.argv.indexOf('--files') + 1]) || 50;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tap-bench-pipeline-'));
const env: NodeJS.ProcessEnv = { ...process.env, TAP_LOCAL_DIR: join(dir, 'local'), TAP_LOCAL_PORT: '0', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
const tap = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tap.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tap ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

try {
  const deployed = JSON.parse(tap('deploy', '--env', 'bench', '--json'));
  const config = { endpoint: deployed.target.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ddb = new DynamoDBClient(config);
  const body = JSON.stringify(
    Array.from({ length: 8 }, (_, i) => ({ shipment_id: `B${i}`, status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', carrier: 'UPS', note: 'x'.repeat(60) })),
  );
  const latencies: number[] = [];
  for (let i = 0; i < files + 1; i++) {
    const key = `incoming/bench-${i}.json`;
    const started = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: deployed.outputs.UploadBucketName, Key: key, Body: body }));
    for (;;) {
      const found = await ddb.send(new QueryCommand({
        TableName: deployed.outputs.MetadataTableName,
        KeyConditionExpression: 'filename = :f',
        ExpressionAttributeValues: { ':f': { S: key } },
      }));
      if (found.Items?.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    if (i > 0) latencies.push(performance.now() - started); // the first one pays the function's cold start
  }
  console.log(`body ${Buffer.byteLength(body)} bytes, ${files} files one after another (first, cold, not counted)`);
  console.log(`upload → metadata visible: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
} finally {
  spawnSync(process.execPath, [join(root, 'bin', 'tap.js'), 'local', 'stop'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
}
