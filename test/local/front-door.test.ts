import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { rawRequest } from '../helpers/raw-http.js';

const EVIL = 'https://evil.example';
const lambdaScope = 'X-Amz-Credential=x%2F20260101%2Fus-east-1%2Flambda%2Faws4_request';

describe('the front door: only the user\'s own tools get in', () => {
  let local: LocalHarness;
  let s3: S3Client;
  const proof = join(mkdtempSync(join(tmpdir(), 'tap-front-door-')), 'pwned');

  beforeAll(async () => {
    local = await startLocal({ allowedOrigins: ['https://app.example.com:8443'] });
    s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  });
  afterAll(() => local.stop());

  it('refuses a web page\'s CreateFunction and Invoke (text/plain, no preflight), and no function exists afterwards', async () => {
    const code = `exports.handler = async () => { require('fs').writeFileSync(${JSON.stringify(proof)}, 'x'); return 1; };`;
    const zip = Buffer.from(zipSync({ 'index.js': strToU8(code) })).toString('base64');
    const create = await rawRequest(local.endpoint, {
      path: `/2015-03-31/functions?${lambdaScope}`,
      headers: { 'content-type': 'text/plain', origin: EVIL },
      body: JSON.stringify({ FunctionName: 'pwn', Runtime: 'nodejs22.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: zip } }),
    });
    expect(create.status).toBe(403);
    expect(create.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(create.body).message).toMatch(/--allow-origin/);
    expect(create.headers['access-control-allow-origin']).toBeUndefined();

    const invoke = await rawRequest(local.endpoint, {
      path: `/2015-03-31/functions/pwn/invocations?${lambdaScope}`,
      headers: { 'content-type': 'text/plain', origin: EVIL },
      body: '{}',
    });
    expect(invoke.status).toBe(403);
    const { Functions } = await new LambdaClient(local.clientConfig).send(new ListFunctionsCommand({}));
    expect(Functions?.map((f) => f.FunctionName)).not.toContain('pwn');
    expect(existsSync(proof)).toBe(false);
  });

  it('refuses /_tap/reset from a page (with an Origin, or without the admin header) and keeps the data', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'keep-me' }));
    const fromPage = await rawRequest(local.endpoint, { path: '/_tap/reset', headers: { 'content-type': 'text/plain', origin: EVIL }, body: 'x' });
    expect(fromPage.status).toBe(403);
    expect(JSON.parse(fromPage.body).__type).toBe('AccessDenied');
    // A loopback page (or any client) without the admin header: refused too.
    const noHeader = await rawRequest(local.endpoint, { path: '/_tap/reset', headers: { 'content-type': 'text/plain', origin: 'http://localhost:3000' } });
    expect(noHeader.status).toBe(403);
    expect(JSON.parse(noHeader.body).message).toMatch(/x-tap-admin/);
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain('keep-me');
  });

  it('refuses every admin route to a page, to a foreign Host and to a client without the admin header', async () => {
    const routes = [
      ['GET', '/_tap/health'], ['GET', '/_tap/usage'], ['GET', '/_tap/runtimes'], ['GET', '/_tap/faults'],
      ['POST', '/_tap/faults'], ['DELETE', '/_tap/faults'], ['POST', '/_tap/reset'],
    ] as const;
    for (const [method, path] of routes) {
      const body = method === 'POST' ? '{}' : undefined;
      const tries = {
        // Even with the header (which a page cannot send without a preflight we never approve).
        page: await rawRequest(local.endpoint, { method, path, headers: { ...ADMIN_HEADERS, 'content-type': 'text/plain', origin: EVIL }, ...(body && { body }) }),
        rebound: await rawRequest(local.endpoint, { method, path, headers: { ...ADMIN_HEADERS, host: 'attacker.example:4566' }, ...(body && { body }) }),
        noHeader: await rawRequest(local.endpoint, { method, path, ...(body && { body, headers: { 'content-type': 'application/json' } }) }),
      };
      for (const [who, answer] of Object.entries(tries)) {
        expect(answer.status, `${who} ${method} ${path}`).toBe(403);
        expect(answer.headers['access-control-allow-origin'], `${who} ${method} ${path}`).toBeUndefined();
      }
    }
    // the same route, asked properly, answers
    const runtimes = await rawRequest(local.endpoint, { method: 'GET', path: '/_tap/runtimes', headers: ADMIN_HEADERS });
    expect(runtimes.status).toBe(200);
    expect(JSON.parse(runtimes.body)).toHaveProperty('installed');
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Referer, and accepts loopback hosts', async () => {
    const rebound = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { host: 'attacker.example:4566' } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('<Code>AccessDenied</Code>');
    const lookalike = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { host: '127.0.0.1.evil.example' } });
    expect(lookalike.status).toBe(403);
    const referer = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { referer: `${EVIL}/page.html` } });
    expect(referer.status).toBe(403);
    const nullOrigin = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    for (const host of ['localhost:1', '127.0.0.2', '[::1]:80', 'abc123.execute-api.localhost:4566', 'keep-me.localhost']) {
      const res = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { host } });
      // Past the front door (S3 answers: the bucket list, or NoSuchBucket for a virtual-hosted name).
      expect(res.status, host).not.toBe(403);
    }
  });

  it('answers CORS preflights only for allowed origins, and lets allowed pages read answers', async () => {
    const preflight = (origin: string) =>
      rawRequest(local.endpoint, {
        method: 'OPTIONS',
        path: '/keep-me',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-amz-date' },
      });
    const evil = await preflight(EVIL);
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    for (const origin of ['http://localhost:5173', 'https://127.0.0.1', 'https://app.example.com:8443']) {
      const ok = await preflight(origin);
      expect(ok.status, origin).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe(origin);
      expect(ok.headers['access-control-allow-methods']).toContain('PUT');
      expect(ok.headers['access-control-allow-headers']).toBe('content-type,x-amz-date');
    }
    // Not allowed: the same host on another port than configured.
    expect((await preflight('https://app.example.com')).status).toBe(403);

    const list = await rawRequest(local.endpoint, { method: 'GET', path: '/', headers: { origin: 'https://app.example.com:8443' } });
    expect(list.status).toBe(200);
    expect(list.headers['access-control-allow-origin']).toBe('https://app.example.com:8443');
    expect(list.headers['access-control-expose-headers']).toContain('etag');
    // dynalite's own "Access-Control-Allow-Origin: *" does not leak through.
    const dynamo = await rawRequest(local.endpoint, {
      headers: { origin: 'http://localhost:3000', 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x', 'x-amz-date': '20260101T000000Z' },
      body: '{}',
    });
    expect(dynamo.status).toBe(200);
    expect(dynamo.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('lets tap\'s own admin calls in with the header', async () => {
    const health = await rawRequest(local.endpoint, { method: 'GET', path: '/_tap/health', headers: ADMIN_HEADERS });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe('ok');
  });

  it('refuses a SigV4 scope whose region or service is not one (a path segment must not be "..")', async () => {
    const scoped = (credential: string, target: string, body = '{}') =>
      rawRequest(local.endpoint, {
        headers: {
          'x-amz-target': target,
          'content-type': 'application/x-amz-json-1.1',
          authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=x`,
        },
        body,
      });
    const logs = await scoped('x/20260101/../logs/aws4_request', 'Logs_20140328.CreateLogGroup', '{"logGroupName":"s3"}');
    expect(logs.status).toBe(403);
    expect(JSON.parse(logs.body)).toMatchObject({ __type: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not '..'." });
    const ssm = await scoped('x/20260101/us-east-1%2F..%2F/ssm/aws4_request', 'AmazonSSM.PutParameter', '{"Name":"server","Value":"x","Type":"String"}');
    expect(ssm.status).toBe(403);
    const service = await scoped('x/20260101/us-east-1/../aws4_request', 'Nope.Op');
    expect(service.status).toBe(403);
    expect(service.body).toContain('scoped to correct service');
    const s3Bad = await rawRequest(local.endpoint, {
      method: 'PUT',
      path: '/evil-bucket',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/US_EAST/s3/aws4_request, SignedHeaders=host, Signature=x' },
    });
    expect(s3Bad.status).toBe(400);
    expect(s3Bad.body).toContain('<Code>AuthorizationHeaderMalformed</Code>');
  });
});
