import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/handlers/api/http.js';
import { fileKey, listQuery, MAX_UPLOAD_BYTES, uploadRequest } from '../../../src/handlers/api/inputs.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return { status: (error as HttpError).statusCode, message: (error as Error).message };
  }
  throw new Error('not refused');
};

describe('POST /files body', () => {
  it('takes filename, contentType and size, and puts the file under incoming/', () => {
    expect(uploadRequest('{"filename":"2026/01/a.json","contentType":"application/json","size":12}', false)).toEqual({ key: 'incoming/2026/01/a.json', contentType: 'application/json', size: 12 });
    const b64 = Buffer.from('{"filename":"b.csv","contentType":"text/csv; charset=utf-8","size":1}').toString('base64');
    expect(uploadRequest(b64, true).key).toBe('incoming/b.csv');
  });

  it.each([
    [null, /must be a JSON object/],
    ['', /must be a JSON object/],
    ['{"filename":', /not valid JSON/],
    ['[1,2]', /JSON object/],
    ['{"filename":"a.json"}', /Missing fields: contentType, size/],
    ['{"filename":"a.json","contentType":"application/json","size":1,"acl":"public-read"}', /Unknown field: acl/],
    ['{"filename":5,"contentType":"application/json","size":1}', /filename must be a string/],
    ['{"filename":"a.json","contentType":"json","size":1}', /contentType must be a media type/],
    ['{"filename":"a.json","contentType":"text/csv\\r\\nx-evil: 1","size":1}', /contentType must be a media type/],
    ['{"filename":"a.json","contentType":"application/json","size":0}', /size must be/],
    ['{"filename":"a.json","contentType":"application/json","size":1.5}', /size must be/],
    [`{"filename":"a.json","contentType":"application/json","size":${MAX_UPLOAD_BYTES + 1}}`, /size must be/],
  ])('refuses %j with 400 and the reason', (body, reason) => {
    const r = refusal(() => uploadRequest(body as string | null, false));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(reason);
  });
});

describe('file keys', () => {
  it('accepts folders and unicode (NFC), with or without incoming/', () => {
    expect(fileKey('incoming/a.json', 'key')).toBe('incoming/a.json');
    expect(fileKey('de\u0301ja\u0300 vu/文件 😀.json', 'key')).toBe('incoming/déjà vu/文件 😀.json');
  });

  it.each(['', 'dir/', '../etc/passwd', 'a/../b.json', 'a//b.json', './a.json', 'a\u0000.json', 'line\nbreak.json', 'x'.repeat(1020)])('refuses %j', (name) => {
    expect(refusal(() => fileKey(name, 'filename')).status).toBe(400);
  });
});

describe('GET /files query', () => {
  it('defaults to the last 24 h, 20 files, both statuses', () => {
    expect(listQuery(null)).toEqual({ sinceMs: 86_400_000, limit: 20 });
    expect(listQuery({ status: 'FAILED', since: '30m', limit: '5', next: 'abc' })).toEqual({ status: 'FAILED', sinceMs: 1_800_000, limit: 5, next: 'abc' });
  });

  it.each([{ status: 'failed' }, { since: '1y' }, { since: '-1h' }, { since: '400d' }, { limit: '0' }, { limit: '101' }, { limit: '1e2' }, { order: 'asc' }])('refuses %j', (q) => {
    expect(refusal(() => listQuery(q)).status).toBe(400);
  });
});
