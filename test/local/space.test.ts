/**
 * Space given back: deleting a table, bucket, queue or log group frees its storage in the data dir,
 * and `/_tap/usage` reports the data dir per service.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand, QueryCommand, ScanCommand, TagResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { sizeOf } from '../../src/local/usage.js';
import { eventually } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local?.stop());

const MB = 1024 * 1024;

describe('space given back', () => {
  it('DeleteTable of a table holding a few MB shrinks the data dir (also with queries run meanwhile)', async () => {
    const ddb = new DynamoDBClient(local.clientConfig);
    const dir = join(local.dataDir, 'dynamodb');
    await ddb.send(new CreateTableCommand({
      TableName: 'big',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    const before = await sizeOf(dir);
    // arrange: ~8 MB of items that do not compress away, and a query between batches (each one
    // used to leave a LevelDB iterator open, which pinned every file of its time on disk)
    for (let batch = 0; batch < 160; batch++) {
      const items = Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { pk: { S: `p${batch % 7}` }, sk: { S: `s${batch}-${i}` }, data: { S: randomText(2000) } } },
      }));
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { big: items } }));
      await ddb.send(new QueryCommand({ TableName: 'big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p1' } }, Limit: 3 }));
    }
    await ddb.send(new ScanCommand({ TableName: 'big', Limit: 5 }));
    const full = await sizeOf(dir);
    expect(full - before).toBeGreaterThan(4 * MB);

    // act
    await ddb.send(new DeleteTableCommand({ TableName: 'big' }));

    // assert: the space comes back once the range is compacted (in the background, as AWS deletes)
    const after = await eventually(async () => {
      const size = await sizeOf(dir);
      return size < before + MB ? size : undefined;
    }, { timeoutMs: 30_000 });
    expect(after).toBeLessThan(full - 4 * MB);
    ddb.destroy();
  }, 60_000);

  it('a table deleted with its stack (as tap destroy does) gives its space back too', async () => {
    const { CloudFormationClient, CreateStackCommand, DeleteStackCommand, waitUntilStackCreateComplete, waitUntilStackDeleteComplete } = await import('@aws-sdk/client-cloudformation');
    const cfn = new CloudFormationClient(local.clientConfig);
    const ddb = new DynamoDBClient(local.clientConfig);
    const dir = join(local.dataDir, 'dynamodb');
    const template = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: { TableName: 'stacked', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
        },
      },
    };
    await cfn.send(new CreateStackCommand({ StackName: 'space', TemplateBody: JSON.stringify(template) }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: 'space' });
    const before = await sizeOf(dir);
    for (let batch = 0; batch < 100; batch++) {
      const items = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${batch}-${i}` }, data: { S: randomText(2000) } } } }));
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { stacked: items } }));
    }
    const full = await sizeOf(dir);
    expect(full - before).toBeGreaterThan(3 * MB);

    await cfn.send(new DeleteStackCommand({ StackName: 'space' }));
    await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: 'space' });

    await eventually(async () => ((await sizeOf(dir)) < before + MB ? true : undefined), { timeoutMs: 30_000 });
    for (const client of [cfn, ddb]) client.destroy();
  }, 90_000);

  it("DeleteTable removes that table's items, index entries and tags, and nothing of tables whose names extend its name", async () => {
    const ddb = new DynamoDBClient(local.clientConfig);
    // CreateTable answers CREATING, as on AWS: the table is used once DescribeTable says ACTIVE
    // (on a loaded machine, dynalite's switch to ACTIVE can come after the next request).
    const create = async (TableName: string) => {
      const created = await ddb.send(new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
      await eventually(async () => ((await ddb.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus === 'ACTIVE' ? true : undefined), { timeoutMs: 10_000, intervalMs: 5 });
      return created;
    };
    const tagsOf = async (table: string) => {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
      return (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn! }))).Tags;
    };
    // Names that sort right around `nsp`'s key ranges: names that extend it, and the ones next to it.
    const tables = ['nsp', 'nsp1', 'nsp-a', 'nsp.b', 'nsp_c', 'nspz', 'ns0'];
    for (const table of tables) {
      const { TableDescription } = await create(table);
      await ddb.send(new TagResourceCommand({ ResourceArn: TableDescription!.TableArn!, Tags: [{ Key: 'owner', Value: table }] }));
      const items = Array.from({ length: 20 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${i}` }, g: { S: 'same' } } } }));
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: items } }));
    }
    const count = async (table: string) => ({
      items: (await ddb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count,
      indexed: (await ddb.send(new QueryCommand({ TableName: table, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'same' } }, Select: 'COUNT' }))).Count,
    });

    // act
    await ddb.send(new DeleteTableCommand({ TableName: 'nsp' }));

    // assert: a new table of the same name starts empty (no item, no index entry, no tag); the others keep everything
    await eventually(async () => ((await ddb.send(new ListTablesCommand({}))).TableNames?.includes('nsp') ? undefined : true), { timeoutMs: 10_000, intervalMs: 100 });
    await create('nsp');
    expect(await count('nsp')).toEqual({ items: 0, indexed: 0 });
    expect(await tagsOf('nsp')).toEqual([]);
    for (const table of tables.filter((t) => t !== 'nsp')) {
      expect([table, await count(table), await tagsOf(table)]).toEqual([table, { items: 20, indexed: 20 }, [{ Key: 'owner', Value: table }]]);
    }
    for (const table of tables) await ddb.send(new DeleteTableCommand({ TableName: table }));
    ddb.destroy();
  }, 60_000);

  it("a deleted bucket's, queue's and log group's files are gone", async () => {
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    const sqs = new SQSClient(local.clientConfig);
    const logs = new CloudWatchLogsClient(local.clientConfig);
    const before = new Set(filesUnder(local.dataDir));

    await s3.send(new CreateBucketCommand({ Bucket: 'gone-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'gone-bucket', Key: 'a.bin', Body: Buffer.alloc(MB, 1) }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gone-queue' }));
    for (let i = 0; i < 20; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}`.repeat(500) }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/gone/group' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/gone/group', logStreamName: 's' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/gone/group', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'x'.repeat(10_000) }] }));
    // LevelDB may write files of its own meanwhile (compactions started by the tests before): not ours to check here.
    const created = filesUnder(local.dataDir).filter((f) => !before.has(f) && !f.startsWith(join(local.dataDir, 'dynamodb')));
    expect(created.length).toBeGreaterThan(3);

    await s3.send(new DeleteObjectCommand({ Bucket: 'gone-bucket', Key: 'a.bin' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'gone-bucket' }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/gone/group' }));

    const left = created.filter((f) => existsSync(f));
    expect(left).toEqual([]);
    for (const client of [s3, sqs, logs]) client.destroy();
  });

  it('/_tap/usage: bytes per service folder and the memory of the server', async () => {
    const res = await fetch(`${local.endpoint}/_tap/usage`, { headers: ADMIN_HEADERS });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dataDir: string; disk: Record<string, number>; memory: { rss: number } };
    expect(body.dataDir).toBe(local.dataDir);
    expect(body.disk.dynamodb).toBeGreaterThan(0);
    expect(body.disk.total).toBeGreaterThanOrEqual(Object.entries(body.disk).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v, 0));
    expect(body.memory.rss).toBeGreaterThan(10 * MB);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Text that LevelDB's compression cannot shrink much. */
function randomText(length: number): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(36).slice(2);
  return out.slice(0, length);
}
