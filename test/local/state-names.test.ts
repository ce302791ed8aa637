import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand,
  GetLogEventsCommand, PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { fsName } from '../../src/local/names.js';
import { readServerInfo, startRecordedServer, type RunningServer } from '../../src/local/run.js';
import { LogsStore } from '../../src/local/services/logs/store.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
const start = async (dataDir?: string): Promise<LocalHarness> => {
  const local = await startLocal(dataDir ? { dataDir } : {});
  running.push(local);
  return local;
};

/** Every file and folder under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? [relative(base, path), ...walk(path, base)] : [relative(base, path)];
  });
}

/** What a case-insensitive file system (macOS, Windows) would see as the same path. */
function caseCollisions(paths: string[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const p of paths) {
    const folded = p.toLowerCase();
    if (seen.has(folded) && seen.get(folded) !== p) out.push(`${seen.get(folded)} ~ ${p}`);
    seen.set(folded, p);
  }
  return out;
}

describe('names on disk', () => {
  it('keeps queues Orders and orders apart, in folders that differ on a case-insensitive file system', async () => {
    const local = await start();
    const sqs = new SQSClient(local.clientConfig);
    const upper = (await sqs.send(new CreateQueueCommand({ QueueName: 'Orders' }))).QueueUrl!;
    const lower = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: upper, MessageBody: 'to Orders' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: lower, MessageBody: 'to orders' }));

    const folders = readdirSync(join(local.dataDir, 'sqs', 'us-east-1', 'queues'));
    expect(folders).toHaveLength(2);
    expect(new Set(folders.map((f) => f.toLowerCase())).size).toBe(2);
    expect(caseCollisions(walk(local.dataDir))).toEqual([]);

    await local.aws.stop();
    const again = await start(local.dataDir);
    const sqs2 = new SQSClient(again.clientConfig);
    expect((await sqs2.send(new ListQueuesCommand({}))).QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual(['Orders', 'orders']);
    const bodyOf = async (name: string) =>
      (await sqs2.send(new ReceiveMessageCommand({ QueueUrl: `${again.endpoint}/000000000000/${name}` }))).Messages?.[0]?.Body;
    expect(await bodyOf('Orders')).toBe('to Orders');
    expect(await bodyOf('orders')).toBe('to orders');
  });

  it('round-trips names with .., separators, %2F, unicode and AWS maximum lengths, all inside their service folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tap-names-'));
    const dataDir = join(parent, 'data');
    const local = await start(dataDir);
    const logs = new CloudWatchLogsClient(local.clientConfig);
    const ssm = new SSMClient(local.clientConfig);
    const cw = new CloudWatchClient(local.clientConfig);

    const groups = ['..', '../..', '/aws/../../s3', '#..#', `/${'G'.repeat(511)}`, `/${'g'.repeat(511)}`];
    const streams = ['..', 'a/../../b', 'a\\..\\b', '%2F', 'été 日本語 🚀', 'NUL', 'nul', 'S'.repeat(512)];
    const parameters = ['server', '../server.json', '../../server.json', '/a/../../b', `/${'p'.repeat(2047)}`, `/${'P'.repeat(2047)}`];
    const alarms = ['..', '../../etc/passwd', 'a%2Fb', 'Alarm é 🚀', 'alarm é 🚀', 'A'.repeat(255)];

    for (const group of groups) await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of streams) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '..', logStreamName: stream }));
      await logs.send(new PutLogEventsCommand({ logGroupName: '..', logStreamName: stream, logEvents: [{ timestamp: Date.now(), message: `in ${stream}` }] }));
    }
    for (const name of parameters) await ssm.send(new PutParameterCommand({ Name: name, Value: `value of ${name}`, Type: 'String' }));
    for (const name of alarms) {
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: name, Namespace: 'X', MetricName: 'Y', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }));
    }

    const check = async (l: LocalHarness) => {
      const logs2 = new CloudWatchLogsClient(l.clientConfig);
      const ssm2 = new SSMClient(l.clientConfig);
      const cw2 = new CloudWatchClient(l.clientConfig);
      const listedGroups = (await logs2.send(new DescribeLogGroupsCommand({}))).logGroups!.map((g) => g.logGroupName);
      expect(listedGroups.sort()).toEqual([...groups].sort());
      const listedStreams = (await logs2.send(new DescribeLogStreamsCommand({ logGroupName: '..' }))).logStreams!.map((s) => s.logStreamName);
      expect(listedStreams.sort()).toEqual([...streams].sort());
      for (const stream of streams) {
        const events = (await logs2.send(new GetLogEventsCommand({ logGroupName: '..', logStreamName: stream }))).events!;
        expect(events.map((e) => e.message)).toEqual([`in ${stream}`]);
      }
      for (const name of parameters) {
        expect((await ssm2.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe(`value of ${name}`);
      }
      const listedAlarms = (await cw2.send(new DescribeAlarmsCommand({}))).MetricAlarms!.map((a) => a.AlarmName);
      expect(listedAlarms.sort()).toEqual([...alarms].sort());
    };
    await check(local);

    // Nothing landed beside the data dir; every name is one short, lowercase path component.
    expect(readdirSync(parent)).toEqual(['data']);
    const paths = walk(dataDir);
    for (const p of paths) for (const part of p.split('/')) expect(Buffer.byteLength(part), p).toBeLessThanOrEqual(255);
    expect(caseCollisions(paths)).toEqual([]);
    expect(paths.filter((p) => !/^(layout\.json|logs|ssm|cloudwatch|dynamodb|s3|sqs|lambda|cloudformation|iam|sns)(\/|$)/.test(p))).toEqual([]);

    await local.aws.stop();
    await check(await start(dataDir));
  });

  it('a log group named s3 in region .. cannot reach the S3 state, and a parameter named server cannot reach server.json', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-names-'));
    const server: RunningServer = await startRecordedServer({ dataDir, port: 0 });
    running.push(server);
    const config = { endpoint: server.info.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a.txt', Body: 'a' }));

    // The region as the reproduction set it. The request layer may refuse it; whatever it
    // answers, the S3 folder must survive.
    const evil = new CloudWatchLogsClient({ ...config, region: '..' });
    await evil.send(new CreateLogGroupCommand({ logGroupName: 's3' })).catch(() => undefined);
    await evil.send(new CreateLogGroupCommand({ logGroupName: '..' })).catch(() => undefined);
    await evil.send(new DeleteLogGroupCommand({ logGroupName: 's3' })).catch(() => undefined);
    await evil.send(new DeleteLogGroupCommand({ logGroupName: '..' })).catch(() => undefined);
    // Past any request check, the store alone keeps the names inside logs/.
    const store = new LogsStore(join(dataDir, 'logs'), '000000000000');
    for (const region of ['..', '../..', '/']) {
      await store.createLogGroup(region, 's3');
      expect(readdirSync(join(dataDir, 'logs'))).toContain(fsName(region));
      await store.deleteLogGroup(region, 's3');
    }

    const ssm = new SSMClient(config);
    for (const name of ['server', 'server.json', '../server.json', '../../server.json']) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: '{"pid":1}', Type: 'String' }));
    }

    await s3.send(new HeadBucketCommand({ Bucket: 'kept' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'kept' }))).KeyCount).toBe(1);
    expect(readServerInfo(dataDir)).toMatchObject({ pid: process.pid, endpoint: server.info.endpoint });
    expect(JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')).pid).toBe(process.pid);
  });
});
