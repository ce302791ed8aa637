/**
 * Result delivery end to end, with the real `bin/tap` on the local AWS: a receiver in the test is the
 * env's webhook (`tap deploy --webhook-url`); files are uploaded and what arrives is checked against
 * the key read from Secrets Manager with the AWS SDK and against `tap status --file --json`.
 * Short retry settings (deploy settings): 3 attempts from 1 s.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifySignature, signatureHeader } from '../../src/handlers/delivery/signature.js';
import { runTap, TAP_BIN, type TapRun } from '../helpers/cli.js';
import { eventually, shipmentsJson } from '../helpers/pipeline.js';
import { Receiver } from '../helpers/webhook-receiver.js';

const ENV = 'hooks';
const cwd = mkdtempSync(join(tmpdir(), 'tap-e2e-delivery-'));
const localEnv = { TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: '0' };
const tap = (...args: string[]): Promise<TapRun> => runTap([...args, '--env', ENV], { cwd, env: localEnv });
const parsed = (r: TapRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};
let receiver: Receiver;
let outputs: Record<string, string> = {};
let endpoint = '';
const config = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

/** Uploads a small valid file under `name` and waits for its processing. */
async function upload(name: string): Promise<string> {
  const path = join(cwd, name);
  writeFileSync(path, shipmentsJson(3, name.slice(0, 4).toUpperCase()));
  const r = await tap('upload', path, '--wait', '--json');
  expect(r.code, r.stderr).toBe(0);
  return `incoming/${name}`;
}

async function signingKey(stage = 'AWSCURRENT'): Promise<string> {
  const out = await new SecretsManagerClient(config()).send(new GetSecretValueCommand({ SecretId: `tap/${ENV}/webhook`, VersionStage: stage }));
  return JSON.parse(out.SecretString!).signingKey;
}

async function fileRun(key: string) {
  const r = await tap('status', '--file', key, '--json');
  expect(r.code, r.stderr).toBe(0);
  return parsed(r).runs[0];
}

/** Waits for the file's delivery to end (DELIVERED or FAILED) and returns its run. */
const settled = (key: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const run = await fileRun(key);
    return ['DELIVERED', 'FAILED'].includes(run?.delivery?.status) ? run : undefined;
  }, { timeoutMs, intervalMs: 1000, what: `the delivery of ${key} to end` });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  receiver = await Receiver.start();
  // A query string with characters a stack tag cannot hold: remembered through the tag encoding.
  const url = `http://127.0.0.1:${receiver.port}/hooks/tap?partner=acme&sig=a%2Fb`;
  const deployed = await tap('deploy', '--webhook-url', url, '--delivery-attempts', '3', '--delivery-interval', '1', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  endpoint = parsed(deployed).target.endpoint;
  expect(parsed(deployed).settings).toMatchObject({ webhookUrl: url, deliveryAttempts: 3, deliveryInterval: 1 });
}, 240_000);

afterAll(async () => {
  await runTap(['local', 'stop'], { cwd, env: localEnv });
  receiver?.close();
});

describe('result delivery with the real binary', () => {
  beforeEach(() => {
    receiver.respond = () => 200;
  });

  it('an upload: exactly one delivery, signed with the key in Secrets Manager, its body what tap status --file shows', async () => {
    // Act
    const key = await upload('first.json');
    const run = await settled(key);
    await sleep(3000); // anything more would arrive by now
    // Assert
    const got = receiver.about(key);
    expect(got).toHaveLength(1);
    const [delivery] = got;
    expect(delivery!.path).toBe('/hooks/tap?partner=acme&sig=a%2Fb');
    const key1 = await signingKey();
    expect(verifySignature(String(delivery!.headers['tap-signature']), delivery!.raw, [key1])).toMatchObject({ ok: true });
    expect(verifySignature(String(delivery!.headers['tap-signature']), delivery!.raw, ['not-the-key'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(delivery!.headers['tap-delivery-id']).toBe(delivery!.body['id']);
    expect(delivery!.body).toEqual({
      id: run.delivery.id,
      env: ENV,
      key: run.key,
      versionId: run.versionId,
      status: run.status,
      recordsProcessed: run.recordsProcessed,
      recordsRejected: run.recordsRejected,
      processedKey: run.processedKey,
      rejectedKey: run.rejectedKey ?? null,
      error: run.error ?? null,
      uploadedAt: run.uploadedAt,
      processedAt: run.processedAt,
    });
    expect(run.delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, httpStatus: 200 });
  }, 120_000);

  it('a receiver that answers 500 twice, then 200: three attempts, and the metadata says delivered after 3', async () => {
    receiver.respond = (_body, nth) => (nth <= 2 ? 500 : 200);
    const key = await upload('flaky.json');
    const run = await settled(key);
    expect(receiver.about(key).map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(receiver.about(key).map((r) => r.headers['tap-delivery-id'])).size).toBe(1);
    expect(run.delivery).toMatchObject({ status: 'DELIVERED', attempts: 3, httpStatus: 200 });
    receiver.respond = () => 200;
  }, 120_000);

  it('a receiver that never answers 2xx: a failed delivery, with its metric, listed by tap deliveries --failed', async () => {
    receiver.respond = () => 503;
    const key = await upload('refused.json');
    const run = await settled(key);
    expect(receiver.about(key)).toHaveLength(3);
    expect(run.delivery).toMatchObject({ status: 'FAILED', attempts: 3, httpStatus: 503 });
    // The metric: the notifier's embedded-metric-format line with DeliveriesFailed = 1.
    const logs = new CloudWatchLogsClient(config());
    const line = await eventually(async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: outputs.NotifierLogGroupName }));
      return out.events?.map((e) => e.message ?? '').find((m) => m.includes('"DeliveriesFailed"') && m.includes(run.delivery.id));
    }, { what: 'the DeliveriesFailed metric', timeoutMs: 20_000 });
    const emf = JSON.parse(line);
    expect(emf.DeliveriesFailed).toBe(1);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: `Tap/${ENV}`, Dimensions: [['service']] });
    const listed = await tap('deliveries', '--failed', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(parsed(listed).runs.map((r: { key: string }) => r.key)).toEqual([key]);
    receiver.respond = () => 200;

    // tap deliveries retry: a new delivery id, followed to its end.
    const retried = await tap('deliveries', 'retry', '--file', 'refused.json', '--json');
    expect(retried.code, retried.stderr).toBe(0);
    const result = parsed(retried);
    expect(result.executionStatus).toBe('SUCCEEDED');
    expect(result.run.delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, httpStatus: 200, id: result.executionName });
    expect(receiver.about(key).at(-1)!.headers['tap-delivery-id']).toBe(result.executionName);
    expect(result.executionName).not.toBe(run.delivery.id);
  }, 150_000);

  it('the same S3 event twice: one delivery', async () => {
    const key = await upload('twice.json');
    const run = await settled(key);
    // Arrange the duplicate: S3's notification for the same version, as S3 would send it again.
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: run.uploadedAt,
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: outputs.UploadBucketName, arn: `arn:aws:s3:::${outputs.UploadBucketName}` }, object: { key, size: run.size, eTag: run.etag, versionId: run.versionId, sequencer: '0' } },
        },
      ],
    };
    const sqs = new SQSClient(config());
    await sqs.send(new SendMessageCommand({ QueueUrl: outputs.IngestQueueUrl, MessageBody: JSON.stringify(event) }));
    await eventually(async () => {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.IngestQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
    }, { what: 'the duplicate to be consumed' });
    await sleep(4000);
    expect(receiver.about(key)).toHaveLength(1);
    expect((await fileRun(key)).delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, id: run.delivery.id });
  }, 120_000);

  it('after tap webhook secret --rotate, the next delivery is signed with the new key', async () => {
    const before = await signingKey();
    const rotated = await tap('webhook', 'secret', '--rotate', '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(parsed(rotated)).toMatchObject({ rotated: true, name: `tap/${ENV}/webhook` });
    expect(rotated.stdout).not.toContain(before);
    const after = await signingKey();
    expect(after).not.toBe(before);
    expect(await signingKey('AWSPREVIOUS')).toBe(before);
    await sleep(6000); // the notifier's key cache lives 5 s
    const key = await upload('rotated.json');
    await settled(key);
    const [delivery] = receiver.about(key);
    const header = String(delivery!.headers['tap-signature']);
    expect(verifySignature(header, delivery!.raw, [after])).toMatchObject({ ok: true });
    expect(verifySignature(header, delivery!.raw, [before])).toMatchObject({ ok: false });
  }, 120_000);

  it('a webhook URL that is not http(s) is refused with what to do, and nothing is deployed', async () => {
    for (const [url, message] of [['ftp://p.example/x', /must use https:\/\//], ['not a url', /absolute http:\/\/ or https:\/\/ URL/]] as const) {
      const r = await tap('deploy', '--webhook-url', url);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  }, 60_000);

  it('tap webhook listen: verifies a delivery against the env key, flags a bad signature, answers the chosen status', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const child = spawn(process.execPath, [TAP_BIN, 'webhook', 'listen', '--port', port, '--status', '202', '--json', '--env', ENV], {
      cwd,
      env: { ...process.env, ...localEnv, NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    try {
      await eventually(async () => (stderr.includes('Listening on') ? true : undefined), { what: `the listener (${stderr})`, timeoutMs: 30_000 });
      const body = JSON.stringify({ id: 'd-1', key: 'incoming/x.json' });
      const key = await signingKey();
      const good = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { 'tap-signature': signatureHeader(key, body, Math.floor(Date.now() / 1000)), 'tap-delivery-id': 'd-1' } });
      const bad = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { 'tap-signature': signatureHeader('wrong', body, Math.floor(Date.now() / 1000)) } });
      expect([good.status, bad.status]).toEqual([202, 202]);
      const lines = await eventually(async () => {
        const l = stdout.trim().split('\n').filter(Boolean);
        return l.length >= 2 ? l.map((x) => JSON.parse(x)) : undefined;
      }, { what: 'two printed deliveries' });
      expect(lines[0]).toMatchObject({ verified: true, key: 'current', deliveryId: 'd-1', answered: 202, body: { id: 'd-1' } });
      expect(lines[1]).toMatchObject({ verified: false, problem: expect.stringContaining('does not match') });
    } finally {
      child.kill('SIGINT');
    }
  }, 60_000);

  it('a restart of the local AWS during a back-off wait loses no delivery', async () => {
    // Arrange: longer waits (a redeploy; the webhook URL is remembered) and a receiver that refuses
    // until the local AWS has been restarted.
    const redeployed = await tap('deploy', '--delivery-attempts', '5', '--delivery-interval', '8', '--json');
    expect(redeployed.code, redeployed.stderr).toBe(0);
    let restarted = false;
    receiver.respond = () => (restarted ? 200 : 500);
    const path = join(cwd, 'restart.json');
    writeFileSync(path, shipmentsJson(2, 'RS'));
    const key = 'incoming/restart.json';
    const up = await tap('upload', path, '--json');
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => (receiver.about(key).length ? true : undefined), { what: 'the first attempt', timeoutMs: 60_000 });
    // Act: stop the local AWS while the execution waits to retry, and start it again.
    const stopped = await runTap(['local', 'stop'], { cwd, env: localEnv });
    expect(stopped.code, stopped.stderr).toBe(0);
    restarted = true;
    const started = await runTap(['local', 'start', '--json'], { cwd, env: localEnv });
    expect(started.code, started.stderr).toBe(0);
    endpoint = parsed(started).info.endpoint;
    // Assert: the resumed execution delivers.
    const run = await settled(key, 120_000);
    expect(run.delivery).toMatchObject({ status: 'DELIVERED', httpStatus: 200 });
    expect(receiver.about(key).at(-1)!.answered).toBe(200);
    expect(receiver.about(key).filter((r) => r.answered === 200)).toHaveLength(1);
  }, 300_000);
});
