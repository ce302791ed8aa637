/**
 * The partner API with the real binary: one pipeline deployed with `tap deploy` to the local AWS,
 * then the API as tap calls it, as a raw (mis)signed client calls it, as a partner calls it with a key
 * made through the local IAM, and through its upload permissions; then clients no one here wrote (curl --aws-sigv4, the AWS CLI), skipped visibly when
 * they are not installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signedFetch } from '../../src/ops/signed-fetch.js';
import { parsed, runTap, tapWorkspace } from '../helpers/cli.js';

// Every step runs the real binary (or the AWS CLI) several times: generous on a loaded 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

const { cwd, env, tap, stop } = tapWorkspace('api', { env: 'api' });
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/files/${name}`, import.meta.url));
const local = { accessKeyId: 'tap-local', secretAccessKey: 'tap-local' };
let url = '';
let outputs: Record<string, string> = {};

const has = (tool: string, args: string[]) => {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasCurl = has('curl', ['--version']);
const hasAws = has('aws', ['--version']);
const run = promisify(execFile);

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  const r = await tap('api', 'url', '--json');
  expect(r.code, r.stderr).toBe(0);
  url = parsed(r).url;
}, 180_000);

afterAll(async () => {
  await stop();
});

describe('the partner API with the real binary', () => {
  it('deploy outputs the API; tap api url maps it to the local AWS', () => {
    expect(outputs.ApiUrl).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/v1\/$/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/[a-z0-9]+\/v1\/$/);
  });

  it('upload --via-api --wait ends SUCCESS, and GET /files/{key} answers what tap status --file answers', async () => {
    const up = await tap('upload', fixture('valid.json'), '--via-api', '--wait', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(parsed(up).outcomes).toEqual([expect.objectContaining({ outcome: 'SUCCESS' })]);
    const viaApi = await tap('api', 'get', '/files/valid.json', '--json');
    const viaStatus = await tap('status', '--file', 'valid.json', '--json');
    expect(viaApi.code, viaApi.stderr).toBe(0);
    expect(parsed(viaApi)).toEqual(parsed(viaStatus));
    expect(parsed(viaApi)).toMatchObject({ key: 'incoming/valid.json', known: true, runs: [expect.objectContaining({ status: 'SUCCESS', recordsProcessed: 3 })] });
  }, 120_000);

  it('GET /status answers the queues, the newest file, the last hour and the alarms', async () => {
    const r = await tap('api', 'get', '/status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const health = parsed(r);
    expect(health).toMatchObject({ environment: 'api', queues: { ingest: expect.any(Object), deadLetter: { visible: 0 } }, latest: { key: 'incoming/valid.json', status: 'SUCCESS' } });
    expect(health.lastHour.SUCCESS).toBeGreaterThanOrEqual(1);
    expect(health.alarms.map((a: { name: string }) => a.name)).toContain('tap-api-dlq-not-empty');
  });

  it('GET /files lists, pages with next, and refuses bad parameters with 400 and the reason', async () => {
    const page = parsed(await tap('api', 'get', '/files?limit=1', '--json'));
    expect(page.files).toHaveLength(1);
    const bad = await tap('api', 'get', '/files?limit=0', '--json');
    expect(bad.code).toBe(1);
    expect(parsed(bad).message).toMatch(/limit must be a whole number/);
    expect(parsed(await tap('api', 'get', '/files?next=garbage!', '--json')).message).toMatch(/next is not a token/);
  });

  it('an unknown key is 404 with suggestions; a key with .. is 400; a unicode key is found', async () => {
    const unknown = await tap('api', 'get', '/files/valdi.json', '--json');
    expect(unknown.code).toBe(1);
    expect(parsed(unknown)).toMatchObject({ known: false, suggestions: ['incoming/valid.json'] });
    // URLs drop a literal ../ before sending; an encoded slash keeps it inside the key.
    const dots = await tap('api', 'get', '/files/..%2Fvalid.json', '--json');
    expect([dots.code, parsed(dots).message]).toEqual([1, expect.stringMatching(/without \. or \.\. segments/)]);
    const dir = mkdtempSync(join(tmpdir(), 'tap-e2e-unicode-'));
    const name = 'déjà vu 文件.json';
    writeFileSync(join(dir, name), '{"shipment_id":"u1","status":"delivered","timestamp":"2026-01-01T00:00:00Z"}\n');
    expect((await tap('upload', join(dir, name), '--via-api', '--wait', '--json')).code).toBe(0);
    expect(parsed(await tap('api', 'get', `/files/${name}`, '--json'))).toMatchObject({ key: `incoming/${name}`, known: true });
  }, 120_000);

  it('POST /files: bad bodies answer 400 with the reason (the model, then the handler)', async () => {
    const missing = await tap('api', 'post', '/files', '--data', '{"filename":"a.json"}', '--json');
    expect(missing.code).toBe(1);
    expect(parsed(missing).message).toMatch(/^Invalid request body: \[object has missing required properties/);
    const notJson = await signedFetch({ url: `${url}files`, method: 'POST', body: '{"filename": ', region: 'us-east-1', credentials: local });
    expect([notJson.status, JSON.parse(notJson.text).message]).toEqual([400, expect.stringMatching(/^Invalid request body: \[Invalid JSON/)]);
    const dots = await tap('api', 'post', '/files', '--data', '{"filename":"../x.json","contentType":"application/json","size":3}', '--json');
    expect(parsed(dots).message).toMatch(/without \. or \.\. segments/);
    // Over API Gateway's 10 MB: refused from the Content-Length before the body is read. The answer is a
    // 413, unless the server's close after answering reaches the client while it is still sending
    // (EPIPE/ECONNRESET, as with AWS); either way the body is refused and the next request is served.
    const huge = await signedFetch({ url: `${url}files`, method: 'POST', body: JSON.stringify({ filename: 'a'.repeat(11 * 1024 * 1024) }), region: 'us-east-1', credentials: local }).then(
      (r) => r.status,
      (error: Error) => ((error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message),
    );
    expect([413, 'EPIPE', 'ECONNRESET']).toContain(huge);
    expect((await tap('api', 'post', '/files', '--data', '{not json', '--json')).code).toBe(2);
  });

  it('refuses an unsigned request, a wrong secret and an expired signature with 403', async () => {
    const unsigned = await fetch(`${url}status`);
    expect([unsigned.status, ((await unsigned.json()) as { message: string }).message]).toEqual([403, 'Missing Authentication Token']);
    const wrong = await signedFetch({ url: `${url}status`, region: 'us-east-1', credentials: { ...local, secretAccessKey: 'wrong' } });
    expect([wrong.status, wrong.headers.get('x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);
    const expired = await signedFetch({ url: `${url}status`, region: 'us-east-1', credentials: local, signingDate: new Date(Date.now() - 10 * 60_000) });
    expect(expired.status).toBe(403);
    expect(JSON.parse(expired.text).message).toMatch(/^Signature expired/);
  });

  it('a partner signing with a key made through the local IAM: 200, then 403 once the key is deactivated, and once deleted', async () => {
    // Arrange: a user and an access key, made as an administrator would (the IAM API, real SDK).
    const endpoint = url.slice(0, url.indexOf('/_aws/'));
    const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: local });
    await iam.send(new CreateUserCommand({ UserName: 'partner-acme' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'partner-acme' }))).AccessKey!;
    // Act: the partner runs tap against that endpoint with the key in the standard variables.
    const asPartner = () =>
      runTap(['api', 'get', '/status', '--json', '--env', 'api', '--endpoint-url', endpoint], {
        cwd,
        env: { ...env, AWS_ACCESS_KEY_ID: key.AccessKeyId!, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey!, AWS_REGION: 'us-east-1' },
      });
    const ok = await asPartner();
    expect(ok.code, ok.stderr).toBe(0);
    expect(parsed(ok)).toMatchObject({ environment: 'api', latest: expect.any(Object) });

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'partner-acme', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    const inactive = await asPartner();
    expect([inactive.code, parsed(inactive).message]).toEqual([1, 'The security token included in the request is invalid.']);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'partner-acme', AccessKeyId: key.AccessKeyId, Status: 'Active' }));
    expect((await asPartner()).code).toBe(0);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'partner-acme', AccessKeyId: key.AccessKeyId }));
    const deleted = await asPartner();
    expect([deleted.code, parsed(deleted).message]).toEqual([1, 'The security token included in the request is invalid.']);
    iam.destroy();
  });

  it('S3 refuses an upload over the declared size, and an expired permission', async () => {
    const { postWithPermission } = await import('../../src/ops/api-upload.js');
    const permit = await signedFetch({ url: `${url}files`, method: 'POST', body: JSON.stringify({ filename: 'small.json', contentType: 'application/json', size: 10 }), region: 'us-east-1', credentials: local });
    expect(permit.status).toBe(201);
    const permission = JSON.parse(permit.text);
    expect(permission).toMatchObject({ method: 'POST', key: 'incoming/small.json', maxSize: 10, fields: expect.objectContaining({ key: 'incoming/small.json', 'Content-Type': 'application/json' }) });
    const dir = mkdtempSync(join(tmpdir(), 'tap-e2e-big-'));
    writeFileSync(join(dir, 'small.json'), 'x'.repeat(11));
    await expect(postWithPermission(permission, join(dir, 'small.json'))).rejects.toThrow(/EntityTooLarge/);
    expect(Date.parse(JSON.parse(Buffer.from(permission.fields.Policy, 'base64').toString()).expiration) - Date.now()).toBeGreaterThan(14 * 60_000);
    // Expired permissions, made as the handler makes them (same presigners, a known key), already past their time.
    const endpoint = url.slice(0, url.indexOf('/_aws/'));
    const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials: local, forcePathStyle: true });
    const oldPost = await createPresignedPost(s3, { Bucket: outputs.UploadBucketName!, Key: 'incoming/late.json', Conditions: [['content-length-range', 1, 10]], Expires: -60 });
    writeFileSync(join(dir, 'small.json'), 'x'.repeat(5));
    await expect(postWithPermission({ ...oldPost, method: 'POST', key: 'incoming/late.json', maxSize: 10, expiresAt: '' }, join(dir, 'small.json'))).rejects.toThrow(/Policy expired/);
    const oldGet = await getSignedUrl(s3, new GetObjectCommand({ Bucket: outputs.UploadBucketName!, Key: 'incoming/valid.json' }), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const refused = await fetch(oldGet);
    expect([refused.status, await refused.text()]).toEqual([403, expect.stringContaining('<Message>Request has expired</Message>')]);
    s3.destroy();
  });
});

describe.skipIf(!hasCurl)(`curl --aws-sigv4 against the API${hasCurl ? '' : ' (skipped: curl is not installed)'}`, () => {
  it('signs with curl and gets GET /status', async () => {
    const { stdout } = await run('curl', ['-sS', '--aws-sigv4', 'aws:amz:us-east-1:execute-api', '--user', 'tap-local:tap-local', `${url}status`, '-w', '\n%{http_code}']);
    const [body, code] = [stdout.slice(0, stdout.lastIndexOf('\n')), stdout.slice(stdout.lastIndexOf('\n') + 1)];
    expect(code).toBe('200');
    expect(JSON.parse(body)).toMatchObject({ environment: 'api' });
    const wrong = await run('curl', ['-sS', '--aws-sigv4', 'aws:amz:us-east-1:execute-api', '--user', 'tap-local:nope', `${url}status`, '-o', '/dev/null', '-w', '%{http_code}']);
    expect(wrong.stdout).toBe('403');
  });

  it('signs with a partner key made through the local IAM', async () => {
    const iam = new IAMClient({ endpoint: url.slice(0, url.indexOf('/_aws/')), region: 'us-east-1', credentials: local });
    await iam.send(new CreateUserCommand({ UserName: 'partner-curl' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'partner-curl' }))).AccessKey!;
    iam.destroy();
    const { stdout } = await run('curl', ['-sS', '--aws-sigv4', 'aws:amz:us-east-1:execute-api', '--user', `${key.AccessKeyId}:${key.SecretAccessKey}`, `${url}status`, '-o', '/dev/null', '-w', '%{http_code}']);
    expect(stdout).toBe('200');
  });
});

describe.skipIf(!hasAws)(`the AWS CLI against the API's control plane${hasAws ? '' : ' (skipped: aws is not installed)'}`, () => {
  it('aws apigateway get-rest-apis / get-resources / get-stages list the deployed API', async () => {
    const endpoint = url.slice(0, url.indexOf('/_aws/'));
    const aws = async (...args: string[]) =>
      JSON.parse(
        (await run('aws', ['--endpoint-url', endpoint, '--output', 'json', 'apigateway', ...args], {
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
        })).stdout,
      );
    const apis = await aws('get-rest-apis');
    const api = apis.items.find((a: { name: string }) => a.name === 'tap-api-api');
    expect(api).toMatchObject({ endpointConfiguration: { types: ['REGIONAL'] } });
    const resources = await aws('get-resources', '--rest-api-id', api.id);
    expect(resources.items.map((r: { path: string }) => r.path).sort()).toEqual(['/', '/files', '/files/{key+}', '/status']);
    expect((await aws('get-stages', '--rest-api-id', api.id)).item.map((s: { stageName: string }) => s.stageName)).toEqual(['v1']);
  });
});
