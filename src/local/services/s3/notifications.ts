/**
 * Event notifications: configuring them (destinations must exist; queues get `s3:TestEvent`), and
 * turning object changes into S3's event records (event structure 2.1,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html) for SQS
 * queues and Lambda functions. Delivery goes through a persisted outbox: at least once, across restarts,
 * as S3 promises; the `duplicate-delivery` fault makes it deliver the next event twice.
 */
import { pooledRandomBytes } from '../../random.js';
import type { LocalContext } from '../../service.js';
import type { SqsApi } from '../contracts.js';
import { invalidArgument } from './errors.js';
import {
  matchesFilter,
  normalizeNotification,
  subscribes,
  type NotificationConfig,
  type NotificationTarget,
} from './notification-config.js';
import type { ObjectVersion } from './objects.js';
import { Outbox } from './outbox.js';
import type { S3Store } from './store.js';

/** What the request that changed an object contributes to its event. */
export interface EventSource {
  readonly requestId: string;
  readonly hostId: string;
  readonly sourceIp: string;
  readonly principalId: string;
}

export type EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

export class Notifier {
  readonly outbox: Outbox;
  private counter = 0;

  constructor(
    private readonly ctx: LocalContext,
    private readonly store: S3Store,
    root: string,
  ) {
    this.outbox = new Outbox(ctx, root);
  }

  /** PutBucketNotificationConfiguration: checks, stores, then sends each queue its test event. */
  async configure(
    bucket: string,
    input: NotificationConfig,
    source: Pick<EventSource, 'requestId' | 'hostId'>,
    options: { skipValidation?: boolean } = {},
  ): Promise<NotificationConfig> {
    this.store.bucket(bucket);
    const config = normalizeNotification(input);
    if (!options.skipValidation) for (const target of config.targets) await this.assertDestination(target);
    await this.store.putNotification(bucket, config);
    const queues = new Set(config.targets.filter((t) => t.kind === 'queue').map((t) => t.arn));
    for (const arn of queues) {
      const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucket, RequestId: source.requestId, HostId: source.hostId };
      await this.outbox.enqueue([{ kind: 'queue', arn, body: JSON.stringify(test) }]);
    }
    return config;
  }

  /** Queues an event for every configuration that subscribes to it; resolves once it is persisted. */
  async emit(operation: string, name: EventName, bucketName: string, version: ObjectVersion, source: EventSource): Promise<void> {
    const bucket = this.store.bucket(bucketName);
    const config = bucket.notification;
    if (!config) return;
    const key = eventKey(version.key);
    const matching = config.targets.filter((t) => subscribes(t, `s3:${name}`) && matchesFilter(t, key));
    if (matching.length === 0) return;
    const copies = this.ctx.faults.take('s3', operation, 'duplicate-delivery') ? 2 : 1;
    const sequencer = this.sequencer();
    const entries = matching.flatMap((target) => {
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: bucket.region,
        // A removed version's Last-Modified is when it was written; the event is about now.
        eventTime: name === 'ObjectRemoved:Delete' ? new Date().toISOString() : version.lastModified,
        eventName: name,
        userIdentity: { principalId: source.principalId },
        requestParameters: { sourceIPAddress: source.sourceIp },
        responseElements: { 'x-amz-request-id': source.requestId, 'x-amz-id-2': source.hostId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: target.id,
          bucket: { name: bucket.name, ownerIdentity: { principalId: ownerPrincipal(this.ctx.accountId) }, arn: `arn:aws:s3:::${bucket.name}` },
          object: {
            key,
            ...(name.startsWith('ObjectCreated') && { size: version.size, eTag: version.etag.replace(/"/g, '') }),
            ...(bucket.versioning && { versionId: version.versionId }),
            sequencer,
          },
        },
      };
      const entry = { kind: target.kind, arn: target.arn, body: JSON.stringify({ Records: [record] }) };
      return Array.from({ length: copies }, () => entry);
    });
    await this.outbox.enqueue(entries);
  }

  private async assertDestination(target: NotificationTarget): Promise<void> {
    // LambdaApi cannot tell whether a function exists, and SNS topics are not delivered to: both are trusted.
    if (target.kind !== 'queue') return;
    try {
      await this.ctx.service<SqsApi>('sqs').attributesByArn(target.arn);
    } catch {
      throw invalidArgument('Unable to validate the following destination configurations', target.arn, 'The destination queue does not exist');
    }
  }

  /** Hex, the same length every time, increasing: consumers order events for a key by it. */
  private sequencer(): string {
    const value = BigInt(Date.now()) * 1_000_000n + BigInt(this.counter++ % 1_000_000);
    return value.toString(16).toUpperCase().padStart(18, '0');
  }
}

/**
 * The key as S3 writes it in events: form-URL-encoded (space → `+`, UTF-8 bytes as `%XX`, `*-._`
 * kept) except that `/` stays as is.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** A stable owner id for the local account, shaped like S3's (an `A…` id). */
function ownerPrincipal(accountId: string): string {
  return `A${accountId.padStart(13, '0')}`;
}

export const newHostId = () => pooledRandomBytes(48).toString('base64');
