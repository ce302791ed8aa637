/**
 * Proof-of-delivery photos through the real `bin/tap` and a pipeline deployed with `tap deploy` on the
 * local AWS: a photo with EXIF ends SUCCESS with its facts and a thumbnail and sits between its
 * shipment's status events; a text file named .jpg and a decompression bomb fail at once; the same
 * S3 event delivered twice gives one POD event. Every image is made by the test (test/helpers/images.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTap, type TapRun } from '../helpers/cli.js';
import { makeJpeg, pngDeclaring } from '../helpers/images.js';
import { eventually } from '../helpers/pipeline.js';

const cwd = mkdtempSync(join(tmpdir(), 'tap-e2e-pod-'));
const env = { TAP_LOCAL_DIR: join(cwd, 'local'), TAP_LOCAL_PORT: '0' };
const tap = (...args: string[]): Promise<TapRun> => runTap([...args, '--env', 'pod'], { cwd, env });
const parsed = (r: TapRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};
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

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  const config = { endpoint: parsed(deployed).target.endpoint as string, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  clients = { s3: new S3Client({ ...config, forcePathStyle: true }), sqs: new SQSClient(config), docs: DynamoDBDocumentClient.from(new DynamoDBClient(config)), logs: new CloudWatchLogsClient(config) };
}, 180_000);

afterAll(async () => {
  await runTap(['local', 'stop'], { cwd, env });
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
});
