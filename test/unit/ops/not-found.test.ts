import { describe, expect, it } from 'vitest';
import { isNotFound } from '../../../src/shared/not-found.js';

describe('isNotFound (the one 404 check)', () => {
  it.each([
    [{ name: 'NotFound' }, true],
    [{ name: 'NoSuchKey' }, true],
    [{ name: 'Unknown', $metadata: { httpStatusCode: 404 } }, true],
    [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, false],
    [new Error('boom'), false],
    [undefined, false],
  ])('%j → %s', (error, expected) => expect(isNotFound(error)).toBe(expected));
});
