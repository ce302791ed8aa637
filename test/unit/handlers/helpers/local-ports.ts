/**
 * The processor's real AWS ports (src/handlers/aws.ts) against the embedded local AWS, in-process:
 * a bucket and the two tables as the stack defines their keys. For tests that call processFile
 * directly, with real S3 streams and real DynamoDB writes but without a deployed pipeline.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsPorts } from '../../../../src/handlers/aws.js';
import type { FileEvent } from '../../../../src/handlers/process-file.js';
import type { Ports } from '../../../../src/handlers/ports.js';
import { type LocalHarness, startLocal } from '../../../helpers/local.js';

export interface LocalPorts {
  ports: Ports;
  bucket: string;
  /** Uploads `body` and returns the file event S3 would announce for it. */
  upload(key: string, body: string | Uint8Array): Promise<FileEvent>;
  /** Items in the events table. */
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

const TABLES = { metadata: 'tap-test-metadata', events: 'tap-test-events' };

export async function localPorts(): Promise<LocalPorts> {
  const local: LocalHarness = await startLocal();
  const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  const dynamo = new DynamoDBClient(local.clientConfig);
  const bucket = 'tap-test-files';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const table = (name: string, hash: string, range: string) =>
    dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: hash, AttributeType: 'S' },
          { AttributeName: range, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: hash, KeyType: 'HASH' },
          { AttributeName: range, KeyType: 'RANGE' },
        ],
      }),
    );
  await table(TABLES.metadata, 'filename', 'upload_timestamp');
  await table(TABLES.events, 'shipment_id', 'event_key');
  // The same marshalling options as the Lambda (src/handlers/processor.ts).
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true } });
  let uploads = 0;
  return {
    ports: awsPorts(s3, doc, TABLES),
    bucket,
    async upload(key, body) {
      const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const eventTime = new Date(Date.UTC(2026, 0, 5, 10, 0, 0, ++uploads)).toISOString();
      return { bucket, key, eventTime, size: Buffer.byteLength(body), ...(out.ETag !== undefined && { etag: out.ETag }) };
    },
    async eventCount() {
      const out = await dynamo.send(new ScanCommand({ TableName: TABLES.events, Select: 'COUNT' }));
      return out.Count ?? 0;
    },
    stop: () => local.stop(),
  };
}
