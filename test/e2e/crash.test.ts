/**
 * kill -9 of the local AWS in the middle of work: uploads in flight through S3 notifications, SQS and
 * the processor. After a restart every file is processed exactly once and nothing is lost.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { runTap } from '../helpers/cli.js';
import { eventually, shipmentsJson } from '../helpers/pipeline.js';
import { ADMIN_HEADERS } from '../../src/local/admin.js';

const cwd = mkdtempSync(join(tmpdir(), 'tap-e2e-crash-'));
const dataDir = join(cwd, 'local');
const env = { TAP_LOCAL_DIR: dataDir, TAP_LOCAL_PORT: '0' };
const tap = (...args: string[]) => runTap(args, { cwd, env });
const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

afterAll(async () => {
  await tap('local', 'stop');
});

describe('the local AWS killed mid-work', () => {
  it('loses no upload, message or item, and processes every file once', async () => {
    // arrange: a deployed pipeline; failed or interrupted messages come back in seconds, not minutes
    const deployed = await tap('deploy', '--env', 'crash', '--json');
    expect(deployed.code, deployed.stderr).toBe(0);
    const { outputs, target } = JSON.parse(deployed.stdout);
    const setupSqs = new SQSClient(config(target.endpoint));
    await setupSqs.send(new SetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, Attributes: { VisibilityTimeout: '3' } }));
    // S3's test event, sent while deploying, was received with the old 12-minute visibility: let it be
    // processed first, so that everything in flight at the kill comes back within seconds.
    await eventually(async () => {
      const { Attributes } = await setupSqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
    }, { timeoutMs: 30_000, what: 'the s3:TestEvent to be processed' });

    // act: 20 uploads, then kill -9 while they are being processed
    const s3 = new S3Client({ ...config(target.endpoint), forcePathStyle: true });
    const keys = Array.from({ length: 20 }, (_, i) => `incoming/crash-${i}.json`);
    for (const [i, Key] of keys.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: outputs.UploadBucketName, Key, Body: shipmentsJson(50, `C${i}-`) }));
    }
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const restarted = await tap('local', 'start', '--port', '0', '--json');
    expect(restarted.code, restarted.stderr).toBe(0);
    const endpoint = JSON.parse(restarted.stdout).info.endpoint;

    // assert: every file has exactly one SUCCESS item; the queues are empty
    const ddb = new DynamoDBClient(config(endpoint));
    const items = await eventually(async () => {
      const scan = await ddb.send(new ScanCommand({ TableName: outputs.MetadataTableName }));
      return (scan.Items?.length ?? 0) >= keys.length ? scan.Items! : undefined;
    }, { timeoutMs: 90_000, what: 'all 20 files processed after the restart' });
    expect(items.map((i) => i.filename!.S).sort()).toEqual([...keys].sort());
    expect(items.every((i) => i.processing_status!.S === 'SUCCESS' && i.records_processed!.N === '50')).toBe(true);
    const events = await ddb.send(new ScanCommand({ TableName: outputs.ShipmentEventsTableName, Select: 'COUNT' }));
    expect(events.Count).toBe(20 * 50);
    // Messages in flight at the kill come back (at-least-once) and are acknowledged as duplicates.
    const sqs = new SQSClient(config(endpoint));
    for (const QueueUrl of [outputs.IngestQueueUrl.replace(target.endpoint, endpoint), outputs.DeadLetterQueueUrl.replace(target.endpoint, endpoint)]) {
      await eventually(async () => {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
      }, { timeoutMs: 60_000, what: `${QueueUrl} to drain` }); // duplicates come back 3 s after the kill, then queue behind a loaded machine
    }
    expect((await ddb.send(new ScanCommand({ TableName: outputs.MetadataTableName, Select: 'COUNT' }))).Count).toBe(20);
  }, 240_000);
});

describe('tap local serve', () => {
  it('runs in the foreground until Ctrl-C, then stops cleanly', async () => {
    const { spawn } = await import('node:child_process');
    const { TAP_BIN } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'tap-serve-'));
    const child = spawn(process.execPath, [TAP_BIN, 'local', 'serve', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const endpoint = await eventually(async () => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], { timeoutMs: 20_000, what: 'serve to listen' });
    expect((await fetch(`${endpoint}/_tap/health`, { headers: ADMIN_HEADERS })).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${endpoint}/_tap/health`, { headers: ADMIN_HEADERS })).rejects.toThrow();
  });
});
