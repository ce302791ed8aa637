import { DynamoDBClient, ListTablesCommand, PutItemCommand, CreateTableCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { abortMidBody, rawRequest } from '../helpers/raw-http.js';

const ddbHeaders = (op: string) => ({
  'x-amz-target': `DynamoDB_20120810.${op}`,
  'content-type': 'application/x-amz-json-1.0',
  authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
  'x-amz-date': '20260101T000000Z',
});

/** An attribute value wrapped in `levels` maps. */
function nested(levels: number): AttributeValue {
  let value: AttributeValue = { S: 'bottom' };
  for (let i = 0; i < levels; i++) value = { M: { a: value } };
  return value;
}

describe('no single request can end the local AWS', () => {
  let local: LocalHarness;
  let ddb: DynamoDBClient;
  let s3: S3Client;

  beforeAll(async () => {
    local = await startLocal({ maxObjectBytes: 1024 * 1024 });
    ddb = new DynamoDBClient(local.clientConfig);
    s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    await ddb.send(new CreateTableCommand({
      TableName: 'guard',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  });
  afterAll(() => local.stop());

  const stillServes = async () => expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('guard');

  it('survives a client that hangs up halfway through a DynamoDB request body', async () => {
    await abortMidBody(local.endpoint, '/', { ...ddbHeaders('PutItem'), 'content-length': '5000' }, '{"TableName":"guard","Item":{"pk":');
    await stillServes();
  });

  it('refuses items nested 32 levels deep (AWS\'s ValidationException) before dynalite sees them, and takes 31', async () => {
    // The SDK itself cannot serialize 5,000 levels: send it raw.
    const raw = await rawRequest(local.endpoint, {
      headers: ddbHeaders('PutItem'),
      body: `{"TableName":"guard","Item":{"pk":{"S":"deep"},"v":${'{"M":{"a":'.repeat(5000)}{"S":"x"}${'}}'.repeat(5000)}}}`,
    });
    expect(raw.status).toBe(400);
    expect(JSON.parse(raw.body)).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#ValidationException',
      message: 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
    });
    const put = (levels: number) => ddb.send(new PutItemCommand({ TableName: 'guard', Item: { pk: { S: `n${levels}` }, v: nested(levels) } }));
    await expect(put(32)).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put(31)).resolves.toBeDefined();
    // The same in a BatchWriteItem's raw body, 100,000 levels deep (the NDJSON-file reproduction).
    const deep = `${'{"M":{"a":'.repeat(100_000)}{"S":"x"}${'}}'.repeat(100_000)}`;
    const batch = await rawRequest(local.endpoint, {
      headers: ddbHeaders('BatchWriteItem'),
      body: `{"RequestItems":{"guard":[{"PutRequest":{"Item":{"pk":{"S":"deep"},"v":${deep}}}}]}}`,
    });
    expect(batch.status).toBe(400);
    expect(JSON.parse(batch.body).__type).toContain('ValidationException');
    await stillServes();
  });

  it('refuses numbers DynamoDB cannot store (dynalite\'s checks, AWS\'s wording)', async () => {
    const put = (n: string) => ddb.send(new PutItemCommand({ TableName: 'guard', Item: { pk: { S: 'num' }, n: { N: n } } }));
    await expect(put('1'.repeat(39))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/38 significant digits/) });
    await expect(put('1e126')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Number overflow/) });
  });

  it('survives an aborted body on a cfn-response route', async () => {
    await abortMidBody(local.endpoint, '/_tap/cfn-response/00000000-0000-0000-0000-000000000000', { 'content-length': '4000' }, '{"Status":"SUC');
    await stillServes();
  });

  it('takes only 4xx/5xx fault statuses, with a clear 400, and S3 keeps answering', async () => {
    const res = await rawRequest(local.endpoint, {
      path: '/_tap/faults',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 's3', operation: '*', status: 1000 }),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'ValidationException', message: expect.stringMatching(/from 400 to 599/) });
    await expect(injectFault(local.endpoint, { service: 's3', code: 'bad\ncode' })).rejects.toThrow(/400/);
    await injectFault(local.endpoint, { service: 's3', operation: 'ListBuckets', status: 503, code: 'SlowDown' });
    await expect(new S3Client({ ...local.clientConfig, forcePathStyle: true, maxAttempts: 1 }).send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'SlowDown' });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toBeDefined();
  });

  it('caps buffered bodies: a declared or streamed body over the limit is refused without being read', async () => {
    const sqs = { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0', authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x' };
    const declared = await rawRequest(local.endpoint, { headers: sqs, body: Buffer.alloc(9 * 1024 * 1024, 0x20) });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).__type).toContain('RequestEntityTooLarge');
    const admin = await rawRequest(local.endpoint, { path: '/_tap/faults', headers: { ...ADMIN_HEADERS, 'transfer-encoding': 'chunked' }, body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    expect(admin.status).toBe(413);
    await stillServes();
  });

  it('caps a chunked S3 PUT without Content-Length as it streams', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'capped' }));
    const over = await rawRequest(local.endpoint, {
      method: 'PUT',
      path: '/capped/big.bin',
      headers: { 'transfer-encoding': 'chunked' },
      body: Buffer.alloc(3 * 1024 * 1024, 1),
    });
    expect(over.status).toBe(400);
    expect(over.body).toContain('<Code>EntityTooLarge</Code>');
    const under = await rawRequest(local.endpoint, { method: 'PUT', path: '/capped/small.bin', headers: { 'transfer-encoding': 'chunked' }, body: Buffer.alloc(1000, 1) });
    expect(under.status).toBe(200);
    await stillServes();
  });

  it('refuses a zip bomb before inflating it, and a zip that lies about its sizes as it inflates: memory stays low', async () => {
    const bomb = await zipOfZeros(300 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await expect(new LambdaClient(local.clientConfig).send(new CreateFunctionCommand({
      FunctionName: 'bomb',
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::000000000000:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: bomb },
    }))).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'Unzipped size must be smaller than 262144000 bytes' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);

    const liar = await zipOfZeros(300 * 1024 * 1024, 1000);
    await expect(new LambdaClient(local.clientConfig).send(new CreateFunctionCommand({
      FunctionName: 'liar',
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::000000000000:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: liar },
    }))).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/Could not unzip/) });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    await stillServes();
  });
});

/**
 * A zip of one file of `size` zeros, deflated by zlib in 1 MiB pieces (fast, and the test process
 * never holds it inflated), written with its headers by hand so it can also lie: `declared` is the
 * uncompressed size its headers claim.
 */
async function zipOfZeros(size: number, declared = size): Promise<Buffer> {
  const piece = Buffer.alloc(1024 * 1024);
  const deflate = createDeflateRaw({ level: 1 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  for (let done = 0; done < size; done += piece.length) {
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await ended;
  const data = Buffer.concat(out);
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}
