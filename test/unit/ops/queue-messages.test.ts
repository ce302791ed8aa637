import { describe, expect, it } from 'vitest';
import { describeMessage, mentions } from '../../../src/ops/queue-messages.js';
import { isRunOf } from '../../../src/ops/wait.js';
import { toFileRun } from '../../../src/ops/metadata.js';

/** An SQS message as S3 sends it, as ReceiveMessage returns it. */
function s3Message(key: string, versionId?: string) {
  return {
    MessageId: 'm-1',
    ReceiptHandle: 'r-1',
    Body: JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: '2026-01-05T10:00:00.000Z',
          s3: { bucket: { name: 'b' }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size: 12, eTag: 'abc', ...(versionId && { versionId }) } },
        },
      ],
    }),
    Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1767607200000', ApproximateFirstReceiveTimestamp: '1767607201000' },
  };
}

describe('dead-lettered messages', () => {
  it('names the file (decoded), its version, receive count and times', () => {
    expect(describeMessage(s3Message('incoming/my file.json', 'v1'))).toMatchObject({
      messageId: 'm-1',
      files: [{ key: 'incoming/my file.json', versionId: 'v1', etag: 'abc', size: 12, eventTime: '2026-01-05T10:00:00.000Z' }],
      receiveCount: 3,
      sentAt: '2026-01-05T10:00:00.000Z',
      firstReceivedAt: '2026-01-05T10:00:01.000Z',
    });
  });

  it('says why a body is not understood instead of throwing', () => {
    expect(describeMessage({ MessageId: 'x', Body: 'not json' })).toMatchObject({ files: [], unreadable: 'message body is not JSON' });
    expect(describeMessage({ MessageId: 'x', Body: '{"Event":"s3:TestEvent"}' }).unreadable).toMatch(/TestEvent/);
  });

  it('matches a key, and a version when both sides know it', () => {
    const message = describeMessage(s3Message('incoming/a.json', 'v1'));
    expect(mentions(message, 'incoming/a.json')).toBe(true);
    expect(mentions(message, 'incoming/a.json', 'v1')).toBe(true);
    expect(mentions(message, 'incoming/a.json', 'v2')).toBe(false);
    expect(mentions(message, 'incoming/b.json')).toBe(false);
  });
});

describe('recognising the outcome of an upload', () => {
  const run = toFileRun({ filename: 'incoming/a.json', upload_timestamp: '2026-01-05T10:00:00.000Z', processing_status: 'SUCCESS', version_id: 'v2', etag: 'e1', processed_at: '2026-01-05T10:00:02.000Z' });

  it('by version id when the bucket is versioned', () => {
    expect(isRunOf(run, { key: 'incoming/a.json', versionId: 'v2', after: 0 })).toBe(true);
    expect(isRunOf(run, { key: 'incoming/a.json', versionId: 'v1', after: 0 })).toBe(false);
  });

  it('by ETag and time otherwise (an older processing of the same content is not it)', () => {
    const unversioned = { ...run, versionId: undefined };
    expect(isRunOf(unversioned, { key: 'incoming/a.json', etag: '"e1"', after: Date.parse('2026-01-05T10:00:01Z') })).toBe(true);
    expect(isRunOf(unversioned, { key: 'incoming/a.json', etag: '"e1"', after: Date.parse('2026-01-05T11:00:00Z') })).toBe(false);
    expect(isRunOf(unversioned, { key: 'incoming/a.json', etag: '"e2"', after: 0 })).toBe(false);
  });

  it('maps the table item to camelCase, numbers as numbers, absent fields absent', () => {
    expect(toFileRun({ filename: 'k', upload_timestamp: 't', processing_status: 'FAILED', records_processed: 0, records_rejected: 0, error_message: 'bad', quarantine_key: 'quarantine/k' })).toEqual({
      key: 'k',
      uploadedAt: 't',
      status: 'FAILED',
      recordsProcessed: 0,
      recordsRejected: 0,
      durationMs: 0,
      size: 0,
      error: 'bad',
      quarantineKey: 'quarantine/k',
    });
  });
});
