import { describe, expect, it } from 'vitest';
import { FileFormatError, TransientError, classifyError, describeError } from '../../../src/handlers/errors.js';
import { awsError } from './helpers/memory.js';

describe('classifyError', () => {
  it('treats a bad file as final', () => {
    expect(classifyError(new FileFormatError('malformed JSON'))).toBe('format');
  });

  it.each(['NoSuchKey', 'NoSuchVersion'])('treats %s as a vanished object', (name) => {
    expect(classifyError(awsError(name, 404))).toBe('gone');
  });

  it.each([
    ['throttling', awsError('ThrottlingException', 400)],
    ['DynamoDB capacity', awsError('ProvisionedThroughputExceededException', 400)],
    ['S3 SlowDown', awsError('SlowDown', 503)],
    ['any 5xx', awsError('SomethingNew', 502)],
    ['HTTP 429', awsError('SomethingNew', 429)],
    ['an SDK $retryable error', awsError('Whatever', 400, { $retryable: { throttling: false } })],
    ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
    ['a wrapped network error', new Error('request failed', { cause: Object.assign(new Error('x'), { code: 'EPIPE' }) })],
    ['our TransientError', new TransientError('unprocessed items')],
  ])('treats %s as transient', (_label, err) => {
    expect(classifyError(err)).toBe('transient');
  });

  it.each([
    ['a validation error', awsError('ValidationException', 400)],
    ['access denied', awsError('AccessDenied', 403)],
    ['a programming error', new TypeError('x is undefined')],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('treats %s as unexpected', (_label, err) => {
    expect(classifyError(err)).toBe('unexpected');
  });

  it('does not mistake a NoSuchKey deep in a cause chain for the object itself vanishing', () => {
    expect(classifyError(new Error('read-back failed', { cause: awsError('NoSuchKey', 404) }))).toBe('unexpected');
  });
});

describe('describeError', () => {
  it('names the error unless it is a plain Error', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(awsError('SlowDown', 503))).toBe('SlowDown: SlowDown (simulated)');
    expect(describeError(42)).toBe('42');
  });
});
