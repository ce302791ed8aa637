/**
 * Proof-of-delivery photos through the real `bin/tap` and a pipeline deployed with `tap deploy` on the
 * local AWS: a photo with EXIF ends SUCCESS with its facts and a thumbnail and sits between its
 * shipment's status events; WebP and HEIC photos get thumbnails too; a text file named .jpg, a
 * truncated WebP or HEIC and decompression bombs fail at once; the same S3 event delivered twice
 * gives one POD event; a photo that fails transiently is dead-lettered to the pod DLQ, where `tap dlq`
 * finds it and redrives it, and `tap logs --file` shows the pod processor's lines about it. Images are
 * made by the test, but for one small committed HEIC (test/helpers/images.ts says how it was made).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient, SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { parsed, tapWorkspace } from '../helpers/cli.js';
import { doorHeic, makeJpeg, makeWebp, pngDeclaring, webpDeclaring } from '../helpers/images.js';
import { injectFault } from '../helpers/local.js';
import { eventually } from '../helpers/pipeline.js';

const { cwd, tap, stop } = tapWorkspace('pod', { env: 'pod' });
let endpoint = '';
let outputs: Record<string, string> = {};
let clients: { s3: S3Client; sqs: SQSClient; docs: DynamoDBDocumentClient; logs: CloudWatchLogsClient };

function file(name: string, body: string | Buffer): string {
  const path = join(cwd, name);
  writeFileSync(path, body);
  return path;
}

async function queueDepth(url: string): Promise<number> {
  const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

async function eventsOf(shipment: string): Promise<Record<string, unknown>[]> {
  const out = await clients.docs.send(new QueryCommand({ TableName: outputs.ShipmentEventsTableName, KeyConditionExpression: 'shipment_id = :s', ExpressionAttributeValues: { ':s': shipment } }));
  return out.Items ?? [];
}

/** The pod processor's JSON log lines about `key`. */
async function podLogs(key: string): Promise<Record<string, unknown>[]> {
  const out = await clients.logs.send(new FilterLogEventsCommand({ logGroupName: outputs.PodProcessorLogGroupName, filterPattern: `"${key}"` }));
  return (out.events ?? []).flatMap((e) => {
    try {
      return [JSON.parse(e.message ?? '') as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The thumbnail's decoded size. */
async function thumbnailSize(key: string): Promise<[number, number]> {
  const thumb = await clients.s3.send(new GetObjectCommand({ Bucket: outputs.UploadBucketName, Key: key }));
  expect(thumb.ContentType).toBe('image/jpeg');
  const decoded = jpeg.decode(await thumb.Body!.transformToByteArray());
  return [decoded.width, decoded.height];
}

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  endpoint = parsed(deployed).target.endpoint;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  clients = { s3: new S3Client({ ...config, forcePathStyle: true }), sqs: new SQSClient(config), docs: DynamoDBDocumentClient.from(new DynamoDBClient(config)), logs: new CloudWatchLogsClient(config) };
}, 180_000);

afterAll(async () => {
  await stop();
});

describe('proof-of-delivery photos with the real binary', () => {
  it('a JPEG with EXIF: SUCCESS with its dimensions and capture time, a ≤ 256-px thumbnail, and a place in the shipment timeline', async () => {
    // Arrange: two status events of S-1 around the photo's capture time (12:00:30 at +02:00 = 10:00:30 UTC).
    const statuses = [
      { shipment_id: 'S-1', status: 'OUT_FOR_DELIVERY', timestamp: '2026-01-05T09:00:00Z', carrier: 'DHL' },
      { shipment_id: 'S-1', status: 'DELIVERED', timestamp: '2026-01-05T11:00:00Z', carrier: 'DHL' },
    ];
    const data = await tap('upload', file('s1.json', JSON.stringify(statuses)), '--wait', '--timeout', '60', '--json');
    expect(data.code, data.stderr).toBe(0);
    const photo = makeJpeg(800, 600, { exif: { dateTimeOriginal: '2026:01:05 12:00:30', offset: '+02:00', latitude: 52.520008, longitude: 13.404954 } });

    // Act
    const up = await tap('upload', file('door.jpg', photo), '--shipment', 'S-1', '--wait', '--timeout', '60', '--json');

    // Assert: the outcome, the thumbnail, the timeline.
    expect(up.code, up.stderr).toBe(0);
    const [outcome] = parsed(up).outcomes;
    expect(outcome).toMatchObject({ key: 'pod/S-1/door.jpg', outcome: 'SUCCESS', run: { image: { format: 'jpeg', width: 800, height: 600, capturedAt: '2026-01-05T10:00:30.000Z', thumbnailKey: 'thumbnails/S-1/door.jpg.jpg' } } });
    const thumb = await clients.s3.send(new GetObjectCommand({ Bucket: outputs.UploadBucketName, Key: 'thumbnails/S-1/door.jpg.jpg' }));
    expect(thumb.ContentType).toBe('image/jpeg');
    const decoded = jpeg.decode(await thumb.Body!.transformToByteArray());
    expect(Math.max(decoded.width, decoded.height)).toBe(256);
    expect(decoded.height).toBe(192);

    const timeline = await tap('shipment', 'S-1', '--json');
    expect(timeline.code, timeline.stderr).toBe(0);
    const { entries } = parsed(timeline);
    expect(entries.map((e: { kind: string; status?: string }) => e.status ?? e.kind)).toEqual(['DELIVERED', 'photo', 'OUT_FOR_DELIVERY']);
    expect(entries[0]).toMatchObject({ kind: 'status', file: 'incoming/s1.json', fields: { carrier: 'DHL' } });
    expect(entries[1]).toMatchObject({
      kind: 'photo',
      time: '2026-01-05T10:00:30.000Z',
      timeSource: 'exif',
      width: 800,
      height: 600,
      position: { latitude: 52.520008, longitude: 13.404954 },
      thumbnailKey: 'thumbnails/S-1/door.jpg.jpg',
    });
    const text = await tap('shipment', 'S-1');
    expect(text.stdout).toMatch(/PHOTO\s+JPEG 800 × 600, taken at 52\.52001, 13\.40495/);

    // An unknown id suggests the close one, exit 1.
    const unknown = await tap('shipment', 'S-l', '--json');
    expect(unknown.code).toBe(1);
    expect(parsed(unknown)).toMatchObject({ kind: 'unknown', suggestions: ['S-1'] });
  }, 180_000);

  it('a text file named .jpg is FAILED "not an image" at once, quarantined, nothing dead-lettered', async () => {
    const started = Date.now();
    const r = await tap('upload', file('fake.jpg', 'I am not a photo\n'), '--shipment', 'S-2', '--wait', '--timeout', '60', '--json');
    expect(r.code).toBe(1);
    expect(parsed(r).outcomes[0]).toMatchObject({ outcome: 'FAILED', run: { error: expect.stringMatching(/^not an image/), quarantineKey: 'quarantine/pod/S-2/fake.jpg' } });
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await queueDepth(outputs.PodDeadLetterQueueUrl!)).toBe(0);
    expect(await eventsOf('S-2')).toEqual([]);
  }, 120_000);

  it('a PNG that declares 50,000 × 50,000 pixels is refused before decoding, with memory staying low', async () => {
    const r = await tap('upload', file('bomb.png', pngDeclaring(50_000, 50_000)), '--shipment', 'S-3', '--wait', '--timeout', '60', '--json');
    expect(r.code).toBe(1);
    expect(parsed(r).outcomes[0]).toMatchObject({ outcome: 'FAILED', run: { error: expect.stringMatching(/50000 × 50000 pixels .* refused before decoding/) } });
    // Decoding would need 10 GB: the function (1536 MB) would have died and the message been retried.
    const line = await eventually(async () => (await podLogs('pod/S-3/bomb.png')).find((l) => l['message'] === 'photo failed; acknowledged without retry'), { what: 'the failure log line' });
    expect(line['rss_mb']).toBeLessThan(300);
  }, 120_000);

  it('the same S3 event delivered twice gives one POD event', async () => {
    const up = await tap('upload', file('twice.jpg', makeJpeg(64, 48)), '--shipment', 'S-4', '--wait', '--timeout', '60', '--json');
    expect(up.code, up.stderr).toBe(0);
    const { run } = parsed(up).outcomes[0];
    // The event S3 sent, as S3 sends it (same eventTime, key, version and ETag), twice more.
    const body = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: run.uploadedAt,
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: outputs.UploadBucketName }, object: { key: 'pod/S-4/twice.jpg', size: run.size, eTag: run.etag, versionId: run.versionId } },
        },
      ],
    });
    for (let i = 0; i < 2; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.PodQueueUrl, MessageBody: body }));
    await eventually(async () => ((await podLogs('pod/S-4/twice.jpg')).filter((l) => String(l['message']).startsWith('duplicate delivery')).length >= 2 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'two duplicate deliveries in the log',
    });
    const events = await eventsOf('S-4');
    expect(events.filter((e) => e['event_type'] === 'POD')).toHaveLength(1);
  }, 120_000);

  it('a WebP and a HEIC: SUCCESS with their dimensions and a decodable ≤ 256-px JPEG thumbnail each', async () => {
    const webp = await tap('upload', file('door.webp', await makeWebp(600, 400)), '--shipment', 'S-6', '--wait', '--timeout', '60', '--json');
    expect(webp.code, webp.stderr).toBe(0);
    expect(parsed(webp).outcomes[0]).toMatchObject({ outcome: 'SUCCESS', run: { image: { format: 'webp', width: 600, height: 400, thumbnailKey: 'thumbnails/S-6/door.webp.jpg' } } });
    expect(await thumbnailSize('thumbnails/S-6/door.webp.jpg')).toEqual([256, 171]);

    const heic = await tap('upload', file('door.heic', doorHeic()), '--shipment', 'S-6', '--wait', '--timeout', '60', '--json');
    expect(heic.code, heic.stderr).toBe(0);
    expect(parsed(heic).outcomes[0]).toMatchObject({
      outcome: 'SUCCESS',
      run: { image: { format: 'heic', width: 512, height: 384, capturedAt: '2026-01-05T10:00:30.000Z', thumbnailKey: 'thumbnails/S-6/door.heic.jpg' } },
    });
    expect(await thumbnailSize('thumbnails/S-6/door.heic.jpg')).toEqual([256, 192]);
  }, 180_000);

  it('a truncated WebP, a truncated HEIC and a WebP declaring 16,000 × 16,000 pixels: FAILED with the reason, quarantined, nothing dead-lettered', async () => {
    const whole = await makeWebp(300, 200);
    const cases = [
      ['cut.webp', whole.subarray(0, Math.floor(whole.length / 2)), /^not an image: the WEBP data cannot be decoded/],
      ['cut.heic', doorHeic().subarray(0, 900), /^not an image: the HEIC data cannot be decoded \(libheif: /],
      ['bomb.webp', webpDeclaring(16_000, 16_000), /16000 × 16000 pixels .* refused before decoding/],
    ] as const;
    for (const [name, bytes, reason] of cases) {
      const r = await tap('upload', file(name, Buffer.from(bytes)), '--shipment', 'S-7', '--wait', '--timeout', '60', '--json');
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(parsed(r).outcomes[0], name).toMatchObject({ outcome: 'FAILED', run: { error: expect.stringMatching(reason), quarantineKey: `quarantine/pod/S-7/${name}` } });
    }
    expect(await queueDepth(outputs.PodDeadLetterQueueUrl!)).toBe(0);
    expect(await eventsOf('S-7')).toEqual([]);
  }, 180_000);

  it('a transient failure dead-letters the photo to the pod DLQ; tap dlq shows it there and redrives it to SUCCESS; tap logs --file shows the pod processor on it', async () => {
    // Arrange: failing messages come back in seconds, not the stack's 6 minutes; DynamoDB throttles.
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: outputs.PodQueueUrl, Attributes: { VisibilityTimeout: '3' } }));
    await injectFault(endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 10_000 });

    // Act: the upload is dead-lettered.
    const up = await tap('upload', file('retry.jpg', makeJpeg(320, 240)), '--shipment', 'S-5', '--wait', '--timeout', '90', '--json');
    expect(up.code).toBe(1);
    expect(parsed(up).outcomes[0]).toMatchObject({ key: 'pod/S-5/retry.jpg', outcome: 'DEAD_LETTERED' });

    // Assert: list and peek put it in the photo pipeline's DLQ.
    const list = await tap('dlq', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const lanes = parsed(list).pipelines;
    expect(lanes.map((l: { pipeline: string; dlq: { name: string; depth: { visible: number } } }) => [l.pipeline, l.dlq.name, l.dlq.depth.visible])).toEqual([
      ['files', 'tap-pod-ingest-dlq', 0],
      ['photos', 'tap-pod-pod-dlq', 1],
    ]);
    const text = await tap('dlq', 'list');
    expect(text.stdout).toContain("1 message in the photos pipeline's dead-letter queue (tap-pod-pod-dlq).");
    const peek = await tap('dlq', 'peek', '--json');
    expect(parsed(peek).messages).toEqual([expect.objectContaining({ pipeline: 'photos', files: [expect.objectContaining({ key: 'pod/S-5/retry.jpg' })] })]);
    // tap status --file looks in the photo's own DLQ.
    const status = await tap('status', '--file', 'pod/S-5/retry.jpg', '--dlq', '--json');
    expect(parsed(status)).toMatchObject({ dlq: { messages: 1, looked: true }, deadLettered: [expect.objectContaining({ files: [expect.objectContaining({ key: 'pod/S-5/retry.jpg' })] })] });

    // Act: the fault is over (kept 10 s more, so that an attempt still in flight fails rather than
    // recording the version); redrive everything and wait.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await fetch(`${endpoint}/_tap/faults`, { method: 'DELETE', headers: ADMIN_HEADERS });
    const redriven = await tap('dlq', 'redrive', '--wait', '--timeout', '90', '--json');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(parsed(redriven)).toMatchObject({ mode: 'all', moved: 1, pipelines: ['photos'], outcomes: [{ key: 'pod/S-5/retry.jpg', outcome: 'SUCCESS' }] });
    expect(await queueDepth(outputs.PodDeadLetterQueueUrl!)).toBe(0);
    expect((await eventsOf('S-5')).filter((e) => e['event_type'] === 'POD')).toHaveLength(1);

    // tap logs --file: the pod processor's lines about the photo, the retries and the success.
    const logs = await eventually(async () => {
      const r = await tap('logs', '--since', '30m', '--file', 'pod/S-5/retry.jpg', '--json');
      const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return lines.some((l) => l['message'] === 'photo processed') ? lines : undefined;
    }, { timeoutMs: 30_000, what: "the pod processor's success line in tap logs" });
    expect(logs.some((l) => String(l['message']).includes('error; the message will be retried'))).toBe(true);
    expect(logs.every((l) => l['service'] === undefined || l['service'] === 'pod-processor')).toBe(true);
    const pretty = await tap('logs', '--since', '30m', '--file', 'pod/S-5/retry.jpg');
    expect(pretty.stdout).toMatch(/INFO\s+\[photos\] photo processed/);
  }, 300_000);
});
