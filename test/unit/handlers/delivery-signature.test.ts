import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { executionName, MAX_EXECUTION_NAME, outcomeOf } from '../../../src/handlers/delivery/outcome.js';
import { signatureHeader, verifySignature } from '../../../src/handlers/delivery/signature.js';

const KEY = 'k'.repeat(64);
const BODY = '{"id":"d-1","key":"incoming/a.json"}';

describe('webhook signatures', () => {
  it('signs t=<unix>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>, checkable with any HMAC implementation', () => {
    const header = signatureHeader(KEY, BODY, 1_700_000_000);
    const expected = createHmac('sha256', KEY).update(`1700000000.${BODY}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies within the tolerance window, with the key that matches (current or previous)', () => {
    const header = signatureHeader(KEY, BODY, 1000);
    expect(verifySignature(header, BODY, [KEY], { now: 1000 })).toEqual({ ok: true, timestamp: 1000, keyIndex: 0 });
    expect(verifySignature(header, BODY, ['new-key', KEY], { now: 1299 })).toEqual({ ok: true, timestamp: 1000, keyIndex: 1 });
  });

  it('refuses a signature outside the window (a replay), by default five minutes either way', () => {
    const header = signatureHeader(KEY, BODY, 1000);
    expect(verifySignature(header, BODY, [KEY], { now: 1301 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifySignature(header, BODY, [KEY], { now: 699 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifySignature(header, BODY, [KEY], { now: 5000, toleranceSeconds: 0 })).toMatchObject({ ok: true });
  });

  it('refuses a changed body, a changed timestamp, another key', () => {
    const header = signatureHeader(KEY, BODY, 1000);
    expect(verifySignature(header, BODY.replace('a.json', 'b.json'), [KEY], { now: 1000 })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header.replace('t=1000', 't=1001'), BODY, [KEY], { now: 1000 })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, BODY, ['other'], { now: 1000 })).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('says what is wrong with a missing or malformed header, and never throws on one', () => {
    expect(verifySignature(undefined, BODY, [KEY])).toMatchObject({ ok: false, reason: 'missing' });
    for (const bad of ['', 'v1=abc', 't=1000', 't=abc,v1=' + 'a'.repeat(64), 't=1000,v1=' + 'z'.repeat(64), 't=1000,v1=' + 'a'.repeat(63), 'garbage,,=']) {
      expect(verifySignature(bad, BODY, [KEY], { now: 1000 })).toMatchObject({ ok: false });
    }
  });

  it('accepts a header with several v1 values (signed with two keys during a rotation)', () => {
    const one = signatureHeader('old', BODY, 1000);
    const other = signatureHeader(KEY, BODY, 1000).split(',')[1];
    expect(verifySignature(`${one},${other}`, BODY, [KEY], { now: 1000 })).toMatchObject({ ok: true });
  });

  it('compares in constant time: a signature differing in its first or its last digit takes the same path', () => {
    // timingSafeEqual needs equal lengths: only well-formed 64-digit values reach it (malformed ones are refused first).
    const good = signatureHeader(KEY, BODY, 1000);
    const v1 = good.split('v1=')[1]!;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
    for (const i of [0, 63]) expect(verifySignature(`t=1000,v1=${flip(v1, i)}`, BODY, [KEY], { now: 1000 })).toMatchObject({ ok: false, reason: 'mismatch' });
  });
});

describe('delivery execution names', () => {
  const outcome = { key: 'incoming/2026/01/feed.csv', versionId: 'v1', uploadedAt: '2026-01-05T10:00:00.000Z', status: 'SUCCESS' as const };

  it('are the same for the same (key, version, status), and differ when any of them does', () => {
    expect(executionName(outcome)).toBe(executionName({ ...outcome }));
    const names = new Set([executionName(outcome), executionName({ ...outcome, key: 'incoming/2026/02/feed.csv' }), executionName({ ...outcome, versionId: 'v2' }), executionName({ ...outcome, status: 'FAILED' })]);
    expect(names.size).toBe(4);
  });

  it('fit Step Functions name rules: at most 80 characters of letters, digits, - and _', () => {
    const hostile = ['incoming/' + 'ä/#%$&,;:~`^|"\\ *?[]{}'.repeat(60), 'incoming/a b.json', 'incoming/', 'incoming/\u0000\u001f.csv', 'incoming/' + 'x'.repeat(1000)];
    for (const key of hostile) {
      for (const retry of [undefined, Date.now().toString(36)]) {
        const name = executionName({ ...outcome, key }, retry);
        expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME);
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
      }
    }
  });

  it('a retry gets a new name; without a version the upload time tells uploads apart', () => {
    expect(executionName(outcome, 'abc')).not.toBe(executionName(outcome));
    const unversioned = { ...outcome, versionId: null };
    expect(executionName(unversioned)).not.toBe(executionName({ ...unversioned, uploadedAt: '2026-01-05T10:00:01.000Z' }));
  });

  it('an outcome has every field of the webhook body, absent ones as null', () => {
    const o = outcomeOf({ filename: 'incoming/a.json', upload_timestamp: 't', processing_status: 'FAILED', records_processed: 0, records_rejected: 0, error_message: 'bad' });
    expect(o).toEqual({ key: 'incoming/a.json', versionId: null, status: 'FAILED', recordsProcessed: 0, recordsRejected: 0, processedKey: null, rejectedKey: null, error: 'bad', uploadedAt: 't', processedAt: null });
  });
});
