/**
 * Hostile requests, generated from a seed (TAP_FUZZ_SEED=n reproduces a run): malformed and oversized
 * requests to every service for a bounded time. The process must stay up with bounded memory, answer
 * every request in the protocol's error shape, and serve normal calls afterwards.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { abortMidBody, rawRequest, type RawResponse } from '../helpers/raw-http.js';
import { prng } from '../helpers/prng.js';

const SEED = Number(process.env.TAP_FUZZ_SEED ?? 20261201);
const BUDGET_MS = 12_000;


type Shape = 'json' | 'query' | 'rest-json' | 'xml' | 'admin';

interface Case {
  readonly shape: Shape;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string;
  /** Send part of the body, then hang up. */
  readonly abort?: boolean;
}

const auth = (service: string, region = 'us-east-1') => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`,
  'x-amz-date': '20260101T000000Z',
});

const JSON_TARGETS: Array<[string, string, string[]]> = [
  ['sqs', 'AmazonSQS', ['SendMessage', 'SendMessageBatch', 'CreateQueue', 'ReceiveMessage', 'DeleteMessageBatch', 'SetQueueAttributes', 'TagQueue']],
  ['dynamodb', 'DynamoDB_20120810', ['PutItem', 'BatchWriteItem', 'Query', 'UpdateItem', 'CreateTable', 'TransactWriteItems', 'Scan']],
  ['logs', 'Logs_20140328', ['PutLogEvents', 'CreateLogGroup', 'FilterLogEvents', 'StartQuery', 'PutRetentionPolicy']],
  ['ssm', 'AmazonSSM', ['PutParameter', 'GetParameters', 'GetParametersByPath', 'AddTagsToResource']],
];
const QUERY: Array<[string, string[]]> = [
  ['sts', ['GetCallerIdentity', 'AssumeRole']],
  ['iam', ['CreateRole', 'PutRolePolicy', 'TagRole', 'CreatePolicy']],
  ['sns', ['CreateTopic', 'Publish', 'Subscribe', 'SetTopicAttributes']],
  ['cloudformation', ['CreateStack', 'CreateChangeSet', 'DescribeStacks', 'ValidateTemplate']],
  ['monitoring', ['PutMetricAlarm', 'PutMetricData', 'DescribeAlarms']],
];
const LAMBDA_PATHS = ['/2015-03-31/functions', '/2015-03-31/functions/f/invocations', '/2015-03-31/functions/f/code', '/2015-03-31/functions/f/configuration', '/2015-03-31/event-source-mappings', '/2017-03-31/tags/arn%3Aaws%3Alambda'];
const S3_PATHS = ['/', '/fuzz-bucket', '/fuzz-bucket/key', '/fuzz-bucket?notification', '/fuzz-bucket?delete', '/fuzz-bucket?cors', '/fuzz-bucket?tagging', '/fuzz-bucket/k?uploads', '/fuzz-bucket/k?partNumber=1&uploadId=x', '/%2e%2e/%2e%2e/etc', '//', '/fuzz-bucket/' + 'k'.repeat(3000)];
const ADMIN_PATHS = ['/_tap/faults', '/_tap/reset', '/_tap/health', '/_tap/cfn-response/x', '/_tap/../_tap/health', '/_tap/'];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'PROPFIND'];

/** Percent-encodes any string's UTF-8 bytes (lone surrogates included, which encodeURIComponent refuses). */
const pct = (text: string) => Buffer.from(text).toString('hex').replace(/../g, '%$&');

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (max: number) => Math.floor(random() * max);

  /** A JSON value of a random kind: wrong types, huge strings, deep nesting. */
  const value = (depth = 0): unknown => {
    switch (int(depth > 3 ? 5 : 9)) {
      case 0: return null;
      case 1: return int(2) ? -1e308 : 2 ** 64;
      case 2: return 'x'.repeat(int(2) ? int(50) : int(300_000));
      case 3: return true;
      case 4: return '\u0000\ud800<&>"';
      case 5: return Array.from({ length: int(5) }, () => value(depth + 1));
      case 6: return { S: value(depth + 1), N: value(depth + 1), M: value(depth + 1) };
      case 7: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['TableName', 'QueueUrl', 'Item', 'Entries', 'Name', 'logGroupName', '__proto__', 'constructor']), value(depth + 1)]));
      default: return {};
    }
  };
  const deep = (levels: number) => `${'{"M":{"a":'.repeat(levels)}{"S":"x"}${'}}'.repeat(levels)}`;
  const jsonBody = (): string => {
    switch (int(7)) {
      case 0: return '{"TableName": ';
      case 1: return `{"Item":{"a":${deep(2000 + int(30_000))}}}`;
      case 2: return '['.repeat(50_000);
      case 3: return 'not json at all';
      case 4: return JSON.stringify(value());
      case 5: return `{"Entries":[${Array.from({ length: 200 }, () => JSON.stringify(value(2))).join(',')}]}`;
      default: return JSON.stringify({ [pick(['TableName', 'QueueName', 'Name'])]: value(), Item: value() });
    }
  };
  const formBody = (action: string): string => {
    const parts = [`Action=${int(5) ? action : '%ZZ'}`, 'Version=2010-05-08'];
    for (let i = int(6); i > 0; i--) parts.push(`${pick(['Name', 'TemplateBody', 'Tags.member.1.Key', 'Attributes.entry.99999999.key', 'PolicyDocument', 'Message'])}=${pct(String(value()).slice(0, 100_000))}`);
    if (!int(6)) parts.push(`TemplateBody=${pct('{"Resources":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5001))}`);
    return parts.join('&');
  };
  const xmlBody = (): string => pick([
    '<Delete><Object><Key>a</Key></Object>',
    `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "${'a'.repeat(1000)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete>&b;</Delete>`,
    '<a>'.repeat(20_000),
    `<NotificationConfiguration><QueueConfiguration><Queue>${'q'.repeat(100_000)}</Queue></QueueConfiguration></NotificationConfiguration>`,
    '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
  ]);
  const oddHeaders = (): Record<string, string> =>
    pick<Record<string, string>>([{}, {}, { 'content-md5': 'nope' }, { 'x-amz-checksum-crc32': '!!' }, { 'content-encoding': 'aws-chunked' }, { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }, { range: 'bytes=9-1' }, { 'x-amz-copy-source': '/../../x' }, { 'content-type': '\u00ff' }, { 'x-amz-target': 'DynamoDB_20120810.' }]);

  return (): Case => {
    const abort = int(12) === 0;
    switch (int(5)) {
      case 0: {
        const [service, prefix, ops] = pick(JSON_TARGETS);
        return { shape: 'json', method: int(10) ? 'POST' : pick(METHODS), path: '/', headers: { ...auth(service, int(15) ? 'us-east-1' : pick(['..', 'a/b', 'US', ''])), 'x-amz-target': `${prefix}.${pick(ops)}`, 'content-type': 'application/x-amz-json-1.0', ...oddHeaders() }, body: jsonBody(), abort };
      }
      case 1: {
        const [service, actions] = pick(QUERY);
        return { shape: 'query', method: 'POST', path: '/', headers: { ...auth(service), 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(pick(actions)), abort };
      }
      case 2:
        return { shape: 'rest-json', method: pick(['POST', 'PUT', 'GET', 'DELETE', 'PATCH']), path: pick(LAMBDA_PATHS), headers: { ...auth('lambda'), 'content-type': 'application/json', ...(int(3) ? {} : { 'x-amz-invocation-type': pick(['Event', 'Bogus']) }) }, body: int(4) ? jsonBody() : JSON.stringify({ FunctionName: value(), Code: { ZipFile: Buffer.from('PK\u0003\u0004' + 'x'.repeat(int(5000))).toString('base64') } }), abort };
      case 3:
        return { shape: 'xml', method: pick(METHODS), path: pick(S3_PATHS), headers: { ...(int(2) ? auth('s3') : {}), ...oddHeaders() }, body: int(2) ? xmlBody() : Buffer.alloc(int(200_000), int(256)), abort };
      default:
        return { shape: 'admin', method: pick(['POST', 'GET', 'PUT', 'DELETE']), path: pick(ADMIN_PATHS), headers: { ...(int(3) ? ADMIN_HEADERS : {}), 'content-type': 'application/json' }, body: int(2) ? jsonBody() : JSON.stringify({ service: value(), status: pick([1000, 200, 'x', 503, -1]), code: value() }), abort };
    }
  };
}

/** Whether an error answer is in its protocol's shape (what an SDK parses into an error name). */
function awsShaped(c: Case, res: RawResponse): boolean {
  if (res.status < 400 || res.status > 599) return false;
  if (c.method === 'HEAD') return true; // no body, as AWS
  if (res.headers['x-amzn-errortype']) return true; // restJson1
  // DynamoDB's answer to a request that is no DynamoDB call at all (dynalite answers as AWS does).
  if (res.body === '<UnknownOperationException/>\n') return true;
  try {
    const json = JSON.parse(res.body) as Record<string, unknown>;
    return typeof json.__type === 'string' && json.__type.length > 0;
  } catch {
    return /<(Error|ErrorResponse)>[\s\S]*<Code>[^<]+<\/Code>/.test(res.body);
  }
}

describe('hostile requests', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.stop());

  it(`keeps serving, with bounded memory and AWS-shaped errors (seed ${SEED})`, async () => {
    const next = generator(prng(SEED));
    const baseline = process.memoryUsage();
    let peak = baseline.rss;
    const misshapen: string[] = [];
    const counts = { sent: 0, errors: 0, ok: 0, aborted: 0 };
    const deadline = Date.now() + BUDGET_MS;
    while (Date.now() < deadline) {
      const batch = Array.from({ length: 4 }, next);
      await Promise.all(batch.map(async (c) => {
        counts.sent++;
        const headers = { ...c.headers };
        if (c.abort) {
          counts.aborted++;
          const text = Buffer.from(c.body ?? '');
          return abortMidBody(local.endpoint, c.path, { ...headers, 'content-length': String(text.length + 1000) }, text.subarray(0, text.length >> 1).toString('latin1'));
        }
        const res = await rawRequest(local.endpoint, { method: c.method, path: c.path, headers, ...(c.method === 'GET' || c.method === 'HEAD' ? {} : { body: c.body ?? '' }) })
          .catch((error: Error) => {
            throw new Error(`${c.shape} ${c.method} ${c.path.slice(0, 60)} ${JSON.stringify(c.headers)} body ${String(c.body).length}: ${error.message}`);
          });
        if (res.status < 400) return void counts.ok++;
        counts.errors++;
        if (!awsShaped(c, res)) misshapen.push(`${c.shape} ${c.method} ${c.path.slice(0, 60)} → ${res.status} ${res.body.slice(0, 200)}`);
      }));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(misshapen, misshapen.slice(0, 5).join('\n')).toEqual([]);
    expect(counts.errors).toBeGreaterThan(counts.sent / 2);
    // The server runs in this process: its growth is bounded by the caps, not by what was sent.
    expect(peak - baseline.rss).toBeLessThan(400 * 1024 * 1024);

    // Normal calls afterwards, through the real SDKs.
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toBeDefined();
    await expect(new SQSClient(local.clientConfig).send(new ListQueuesCommand({}))).resolves.toBeDefined();
    await expect(new DynamoDBClient(local.clientConfig).send(new ListTablesCommand({}))).resolves.toBeDefined();
    await expect(new LambdaClient(local.clientConfig).send(new ListFunctionsCommand({}))).resolves.toBeDefined();
    await expect(new STSClient(local.clientConfig).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '000000000000' });
  }, 60_000);
});
