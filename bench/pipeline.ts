/**
 * Upload → metadata-visible latency of a 1 KB file through the whole local pipeline (S3 notification →
 * SQS → event source mapping → the real processor → DynamoDB), deployed with `tap deploy`.
 *   npm run build && npx tsx bench/pipeline.ts [--files 50]
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { percentile } from './stats.js';
import { benchWorkspace } from './workspace.js';

const files = Number(process.argv[process.argv.indexOf('--files') + 1]) || 50;
const { tap, close } = benchWorkspace('pipeline');


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
  close();
}
