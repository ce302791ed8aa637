import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import type { DamageReport } from '../../src/local/data-dir.js';
import { startRecordedServer, type RunningServer } from '../../src/local/run.js';
import { formatLocalStatus } from '../../src/cli/format/local.js';
import { localStatus } from '../../src/ops/local.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  vi.restoreAllMocks();
});

async function start(dataDir: string) {
  const server = await startRecordedServer({ dataDir, port: 0 });
  running.push(server);
  const config = { endpoint: server.info.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return { server, sqs: new SQSClient(config), s3: new S3Client({ ...config, forcePathStyle: true }), ssm: new SSMClient(config) };
}

async function stop(server: RunningServer) {
  running.splice(running.indexOf(server), 1);
  await server.stop();
}

async function bodies(sqs: SQSClient, queue: string): Promise<string[]> {
  const QueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
  const out: string[] = [];
  for (let i = 0; i < 5; i++) {
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }))).Messages ?? [];
    out.push(...got.map((m) => m.Body!));
  }
  return out.sort();
}

const health = async (server: RunningServer) =>
  (await (await fetch(`${server.info.endpoint}/_tap/health`, { headers: ADMIN_HEADERS })).json()) as { damaged: DamageReport[] };

describe('damaged state', () => {
  it('a 0-byte queue.json, a torn S3 object version file and bad parameter JSON are moved aside, reported, and the rest starts', async () => {
    // arrange
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-damage-'));
    let { server, sqs, s3, ssm } = await start(dataDir);
    for (const name of ['broken', 'intact']) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `${name} message` }));
    }
    await s3.send(new CreateBucketCommand({ Bucket: 'bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'lost.txt', Body: 'lost' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'kept.txt', Body: 'kept' }));
    await ssm.send(new PutParameterCommand({ Name: 'bad', Value: 'x', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'good', Value: 'y', Type: 'String' }));
    await stop(server);

    writeFileSync(join(dataDir, 'sqs', 'us-east-1', 'queues', 'broken', 'queue.json'), '');
    // An object version's file cut short: its body is intact, its metadata footer is not.
    const versionsDir = join(dataDir, 's3', 'buckets', 'bucket', 'versions');
    const lostFile = readdirSync(versionsDir).find((f) => readFileSync(join(versionsDir, f), 'utf8').includes('lost.txt'))!;
    truncateSync(join(versionsDir, lostFile), statSync(join(versionsDir, lostFile)).size - 1);
    writeFileSync(join(dataDir, 'ssm', 'us-east-1', 'bad.json'), '{"Name": "bad", "Val');

    // act
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ({ server, sqs, s3, ssm } = await start(dataDir));

    // assert: everything else is there
    expect(await bodies(sqs, 'intact')).toEqual(['intact message']);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'broken' }))).rejects.toThrow(/does not exist/);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'bucket' }))).Contents?.map((o) => o.Key)).toEqual(['kept.txt']);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'kept.txt' }))).Body!.transformToString()).toBe('kept');
    expect((await ssm.send(new GetParameterCommand({ Name: 'good' }))).Parameter?.Value).toBe('y');
    await expect(ssm.send(new GetParameterCommand({ Name: 'bad' }))).rejects.toThrow();

    // assert: reported in health, the log and tap local status, and kept inside the data dir
    const { damaged } = await health(server);
    const files = damaged.map((d) => d.file).sort();
    expect(files).toEqual([join('s3', 'buckets', 'bucket', 'versions', lostFile), join('sqs', 'us-east-1', 'queues', 'broken'), join('ssm', 'us-east-1', 'bad.json')]);
    const queue = damaged.find((d) => d.file.startsWith('sqs'))!;
    expect(queue.lost).toMatch(/queue broken in us-east-1 with its messages/);
    expect(queue.error).toMatch(/empty file/);
    expect(damaged.find((d) => d.file.startsWith('ssm'))!.lost).toMatch(/SSM parameter/);
    for (const d of damaged) expect(existsSync(join(dataDir, d.movedTo)), d.movedTo).toBe(true);
    const version = damaged.find((d) => d.file.includes('/versions/'))!;
    expect(version.error).toMatch(/footer/);
    expect(readFileSync(join(dataDir, version.movedTo), 'utf8').startsWith('lost')).toBe(true); // the body is kept

    const logged = log.mock.calls.map((c) => c.join(' ')).join('\n');
    for (const d of damaged) expect(logged).toContain(d.file);

    const state = await localStatus(dataDir);
    expect(state.running && state.damaged.length).toBe(3);
    const text = formatLocalStatus(state);
    expect(text).toContain('damaged state found at start (3)');
    expect(text).toContain(join('sqs', 'us-east-1', 'queues', 'broken'));
    expect(text).toContain('lost: queue broken in us-east-1 with its messages');
  });

  it('reports a damaged journal line in the middle and keeps a copy; drops a torn last line silently', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-damage-'));
    let { server, sqs } = await start(dataDir);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    for (const body of ['one', 'two', 'three']) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    await stop(server);

    // act 1: a torn tail only (a kill mid-append)
    const journal = join(dataDir, 'sqs', 'us-east-1', 'queues', 'q', 'messages.jsonl');
    appendFileSync(journal, '{"t":"m","m":{"id":"torn');
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ({ server, sqs } = await start(dataDir));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${server.info.endpoint}/000000000000/q`, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('3');
    expect((await health(server)).damaged).toEqual([]);
    expect(log).not.toHaveBeenCalled();
    await stop(server);

    // act 2: the middle line of three damaged
    const lines = readFileSync(journal, 'utf8').split('\n');
    const middle = lines.findIndex((l) => l.includes('"two"'));
    lines[middle] = lines[middle]!.slice(0, 20) + '#garbage#';
    writeFileSync(journal, lines.join('\n'));
    ({ server, sqs } = await start(dataDir));

    // assert
    expect(await bodies(sqs, 'q')).toEqual(['one', 'three']);
    const { damaged } = await health(server);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]).toMatchObject({ file: join('sqs', 'us-east-1', 'queues', 'q', 'messages.jsonl') });
    expect(damaged[0]!.lost).toMatch(/^1 records of queue q \(us-east-1\)/);
    // Compaction rewrote the journal; the damaged line survives in the copy.
    expect(readFileSync(journal, 'utf8')).not.toContain('#garbage#');
    expect(readFileSync(join(dataDir, damaged[0]!.movedTo), 'utf8')).toContain('#garbage#');
    expect(log.mock.calls.flat().join(' ')).toContain('messages.jsonl');
  });

  it('moves a previous layout\'s state aside whole, says so, and keeps the server log in place', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-damage-'));
    const old = join(dataDir, 'sqs', 'us-east-1', 'queues', 'Orders');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'queue.json'), '{"name":"Orders"}');
    writeFileSync(join(dataDir, 'server.log'), 'earlier output\n');
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const { server, sqs } = await start(dataDir);

    const { notices } = (await (await fetch(`${server.info.endpoint}/_tap/health`, { headers: ADMIN_HEADERS })).json()) as { notices: string[] };
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/state from an older tap \(layout 1\) was moved to old-layout-.*\/ and is not loaded/);
    expect(log.mock.calls.flat().join(' ')).toContain('old-layout-');
    const aside = readdirSync(dataDir).find((e) => e.startsWith('old-layout-'))!;
    expect(existsSync(join(dataDir, aside, 'sqs', 'us-east-1', 'queues', 'Orders', 'queue.json'))).toBe(true);
    expect(readFileSync(join(dataDir, 'server.log'), 'utf8')).toBe('earlier output\n');
    expect(JSON.parse(readFileSync(join(dataDir, 'layout.json'), 'utf8'))).toEqual({ version: 2 });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'Orders' }))).rejects.toThrow(/does not exist/);
    expect(formatLocalStatus(await localStatus(dataDir))).toContain('note: state from an older tap');
  });
});
