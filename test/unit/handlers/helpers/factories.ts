/** Factories for the events the processor receives, shaped like what S3 and SQS really send. */
import { readFileSync } from 'node:fs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

export const BUCKET = 'tap-dev-files';
export const EVENT_TIME = '2026-01-05T10:00:00.000Z';

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/files/${name}`, import.meta.url));
}

/** S3 encodes keys in notifications as in an HTML form: %XX escapes, `+` for a space. */
export function encodeKeyLikeS3(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface ObjectEventOptions {
  key: string;
  versionId?: string;
  size?: number;
  eTag?: string;
  eventTime?: string;
  eventName?: string;
  bucket?: string;
}

export function s3Record(o: ObjectEventOptions) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: o.eventTime ?? EVENT_TIME,
    eventName: o.eventName ?? 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'incoming',
      bucket: { name: o.bucket ?? BUCKET, arn: `arn:aws:s3:::${o.bucket ?? BUCKET}` },
      object: {
        key: encodeKeyLikeS3(o.key),
        size: o.size ?? 0,
        eTag: o.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e',
        ...(o.versionId !== undefined && { versionId: o.versionId }),
        sequencer: '0066C2B1B1B1B1B1B1',
      },
    },
  };
}

export function s3Body(...records: ObjectEventOptions[]): string {
  return JSON.stringify({ Records: records.map(s3Record) });
}

export const TEST_EVENT_BODY = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: EVENT_TIME,
  Bucket: BUCKET,
  RequestId: 'R1',
  HostId: 'H1',
});

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767607200000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1767607200000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:tap-dev-files',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'tap-dev-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tap-dev-processor',
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/tap-dev-processor',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
