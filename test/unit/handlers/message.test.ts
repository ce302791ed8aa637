import { describe, expect, it } from 'vitest';
import { MalformedMessageError, decodeS3Key, parseMessage } from '../../../src/handlers/message.js';
import { BUCKET, EVENT_TIME, TEST_EVENT_BODY, s3Body } from './helpers/factories.js';

describe('decodeS3Key', () => {
  it.each([
    ['incoming/my+file%C3%A9.json', 'incoming/my fileé.json'],
    ['incoming/a%2Bb.csv', 'incoming/a+b.csv'],
    ['incoming/%E6%9D%B1%E4%BA%AC/data.ndjson', 'incoming/東京/data.ndjson'],
    ['incoming/100%25+done.txt', 'incoming/100% done.txt'],
  ])('%s → %s', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });
});

describe('parseMessage', () => {
  it('reads the objects of an S3 notification, decoding keys', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: EVENT_TIME,
          s3: {
            bucket: { name: BUCKET },
            object: { key: 'incoming/my+file%C3%A9.json', size: 120, eTag: 'abc', versionId: 'v9', sequencer: '01' },
          },
        },
      ],
    });
    expect(parseMessage(body)).toEqual({
      kind: 'objects',
      files: [{ bucket: BUCKET, key: 'incoming/my fileé.json', eventTime: EVENT_TIME, size: 120, etag: 'abc', versionId: 'v9' }],
      ignored: [],
    });
  });

  it('leaves optional fields out when S3 did not send them (unversioned bucket)', () => {
    const body = JSON.stringify({
      Records: [{ eventName: 'ObjectCreated:Copy', eventTime: EVENT_TIME, s3: { bucket: { name: 'b' }, object: { key: 'incoming/a.csv' } } }],
    });
    expect(parseMessage(body)).toMatchObject({ files: [{ bucket: 'b', key: 'incoming/a.csv', eventTime: EVENT_TIME }] });
  });

  it('recognizes the s3:TestEvent S3 sends when notifications are set up', () => {
    expect(parseMessage(TEST_EVENT_BODY)).toEqual({ kind: 'test' });
  });

  it('sets aside events that are not object creations', () => {
    const body = s3Body({ key: 'incoming/a.json', eventName: 'ObjectRemoved:Delete' }, { key: 'incoming/b.json' });
    const message = parseMessage(body);
    expect(message).toMatchObject({
      files: [{ key: 'incoming/b.json' }],
      ignored: [{ eventName: 'ObjectRemoved:Delete', key: 'incoming/a.json' }],
    });
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['no Records', '{"foo":1}', /no Records array/],
    ['a record without a key', JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', eventTime: EVENT_TIME, s3: { bucket: { name: 'b' }, object: {} } }] }), /lacks/],
    ['a badly encoded key', JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', eventTime: EVENT_TIME, s3: { bucket: { name: 'b' }, object: { key: 'incoming/%E9.json' } } }] }), /not validly URL-encoded/],
  ])('refuses %s', (_label, body, message) => {
    expect(() => parseMessage(body)).toThrow(MalformedMessageError);
    expect(() => parseMessage(body)).toThrow(message);
  });
});
