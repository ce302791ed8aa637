/**
 * Presigned URLs and POST policies on the local S3, made by the SDK's own presigners
 * (@aws-sdk/s3-request-presigner, @aws-sdk/s3-presigned-post): what S3 accepts and what it refuses.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let s3: S3Client;
const Bucket = 'presigned';

beforeAll(async () => {
  local = await startLocal();
  s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hello' }));
});
afterAll(async () => {
  s3.destroy();
  await local.stop();
});

const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
const withClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new S3Client({ ...local.clientConfig, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

describe('presigned URLs', () => {
  it('lets a presigned GET and PUT through, with the signed content type', async () => {
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 });
    expect(await (await fetch(get)).text()).toBe('hello');
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'incoming/ünï code.json', ContentType: 'application/json' }), { expiresIn: 60 });
    const ok = await fetch(put, { method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'incoming/ünï code.json' }))).ContentType).toBe('application/json');
  });

  it('refuses another content type than the signed one, a changed signature and an unknown key', async () => {
    // The presigner signs content-type only when asked (signableHeaders); then S3 holds the client to it.
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'typed.json', ContentType: 'application/json' }), { expiresIn: 60, signableHeaders: new Set(['content-type']) });
    const wrongType = await fetch(put, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect([wrongType.status, errorCode(await wrongType.text())]).toEqual([403, 'SignatureDoesNotMatch']);
    const tampered = put.replace(/X-Amz-Signature=[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    expect(errorCode(await (await fetch(tampered, { method: 'PUT', body: 'x', headers: { 'content-type': 'application/json' } })).text())).toBe('SignatureDoesNotMatch');
    const stranger = withClient({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' });
    const unknown = await getSignedUrl(stranger, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 });
    const res = await fetch(unknown);
    expect([res.status, errorCode(await res.text())]).toEqual([403, 'InvalidAccessKeyId']);
    stranger.destroy();
  });

  it('refuses an expired URL with AccessDenied "Request has expired"', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const res = await fetch(url);
    const body = await res.text();
    expect([res.status, errorCode(body)]).toEqual([403, 'AccessDenied']);
    expect(body).toContain('<Message>Request has expired</Message>');
    expect(body).toContain('<X-Amz-Expires>60</X-Amz-Expires>');
  });

  it('refuses X-Amz-Expires over a week, and x-amz-* headers the URL did not sign', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 });
    const week = await fetch(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801'));
    expect([week.status, errorCode(await week.text())]).toEqual([400, 'AuthorizationQueryParametersError']);
    const extra = await fetch(url, { headers: { 'x-amz-meta-sneaky': '1' } });
    const body = await extra.text();
    expect([extra.status, errorCode(body)]).toEqual([403, 'AccessDenied']);
    expect(body).toContain('<HeadersNotSigned>x-amz-meta-sneaky</HeadersNotSigned>');
  });

  it('keeps header-signed SDK requests working with any credentials, as before', async () => {
    const other = withClient({ accessKeyId: 'anything', secretAccessKey: 'goes' });
    await other.send(new PutObjectCommand({ Bucket, Key: 'sdk.txt', Body: 'sdk' }));
    expect(await (await other.send(new GetObjectCommand({ Bucket, Key: 'sdk.txt' }))).Body!.transformToString()).toBe('sdk');
    other.destroy();
  });
});

describe('POST policies', () => {
  const presignedPost = (client = s3, expires = 900) =>
    createPresignedPost(client, {
      Bucket,
      Key: 'incoming/${filename}',
      Conditions: [['content-length-range', 1, 100], ['starts-with', '$key', 'incoming/'], ['eq', '$Content-Type', 'application/json']],
      Fields: { 'Content-Type': 'application/json' },
      Expires: expires,
    });
  const post = async (p: { url: string; fields: Record<string, string> }, body: string, name = 'a.json', extra: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...p.fields, ...extra })) form.append(k, v);
    form.append('file', new Blob([body]), name);
    const res = await fetch(p.url, { method: 'POST', body: form });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  it('stores a form upload within the policy, notifies it as ObjectCreated:Post, answers 204 with the ETag', async () => {
    const p = await presignedPost();
    expect(p.url).toBe(`${local.endpoint}/${Bucket}`);
    const res = await post(p, '{"shipment_id":"s1"}', 'dé jà.json');
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'incoming/dé jà.json' }));
    expect([head.ContentType, head.ContentLength]).toEqual(['application/json', 20]);
  });

  it('refuses a file over content-length-range with EntityTooLarge, an empty one with EntityTooSmall', async () => {
    const p = await presignedPost();
    const big = await post(p, 'x'.repeat(101));
    expect([big.status, errorCode(big.text)]).toEqual([400, 'EntityTooLarge']);
    expect(big.text).toContain('<MaxSizeAllowed>100</MaxSizeAllowed>');
    const empty = await post(p, '');
    expect(errorCode(empty.text)).toBe('EntityTooSmall');
  });

  it('refuses a form that breaks a condition, adds a field, or is expired: AccessDenied "Invalid according to Policy"', async () => {
    const p = await presignedPost();
    const type = await post(p, '{}', 'a.json', { 'Content-Type': 'text/plain' });
    expect(type.status).toBe(403);
    expect(type.text).toContain('Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;,&quot;$Content-Type&quot;,&quot;application/json&quot;]');
    const key = await post(p, '{}', 'a.json', { key: 'processed/evil.json' });
    expect(key.text).toContain('Policy Condition failed');
    const extra = await post(p, '{}', 'a.json', { 'x-amz-meta-extra': '1' });
    expect(extra.text).toContain('Invalid according to Policy: Extra input fields: x-amz-meta-extra');
    const expired = await post(await presignedPost(s3, -60), '{}');
    expect([expired.status, expired.text.includes('Invalid according to Policy: Policy expired.')]).toEqual([403, true]);
  });

  it('refuses a policy signed with a wrong secret, a POST that is not a form, and a truncated form', async () => {
    const forged = withClient({ accessKeyId: 'test', secretAccessKey: 'not-test' });
    const bad = await post(await presignedPost(forged), '{}');
    expect([bad.status, errorCode(bad.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    forged.destroy();
    const notForm = await fetch(`${local.endpoint}/${Bucket}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([notForm.status, errorCode(await notForm.text())]).toEqual([412, 'PreconditionFailed']);
    const truncated = await fetch(`${local.endpoint}/${Bucket}`, { method: 'POST', body: '--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expect([truncated.status, errorCode(await truncated.text())]).toEqual([400, 'MalformedPOSTRequest']);
    const noPolicy = new FormData();
    noPolicy.append('key', 'incoming/x');
    noPolicy.append('file', new Blob(['x']), 'x');
    const anonymous = await fetch(`${local.endpoint}/${Bucket}`, { method: 'POST', body: noPolicy });
    expect([anonymous.status, errorCode(await anonymous.text())]).toEqual([403, 'AccessDenied']);
  });
});
