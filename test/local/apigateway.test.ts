/**
 * The local API Gateway against the real SDK (APIGatewayClient for the control plane) and SigV4
 * requests signed by the SDK's own signer: routes, the Lambda proxy event, AWS_IAM answers.
 */
import { request as httpRequest } from 'node:http';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRequestValidatorCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStagesCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Throttle } from '../../src/local/services/apigateway/throttle.js';
import { signedFetch, signRequest } from '../../src/ops/signed-fetch.js';
import { createFunction } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

const ECHO = `export const handler = async (event) => {
  if (event.path === '/files/malformed') return { statusCode: 200, body: { not: 'a string' } };
  if (event.path === '/files/extra') return { statusCode: 200, body: '', surprise: true };
  if (event.path === '/files/throws') throw new Error('boom');
  return { statusCode: 200, headers: { 'x-echo': 'yes' }, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: JSON.stringify(event) };
};`;

const good = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: LocalHarness;
let gateway: APIGatewayClient;
let apiId: string;
let base: string;
let functionArn: string;

beforeAll(async () => {
  local = await startLocal();
  gateway = new APIGatewayClient({ ...local.clientConfig, maxAttempts: 1 });
  const lambda = new LambdaClient(local.clientConfig);
  const fn = await createFunction(lambda, 'api-echo', { 'index.mjs': ECHO });
  functionArn = fn.FunctionArn!;
  lambda.destroy();
  const api = await gateway.send(new CreateRestApiCommand({ name: 'partner', endpointConfiguration: { types: ['REGIONAL'] } }));
  apiId = api.id!;
  const root = (await gateway.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find((r) => r.path === '/')!;
  const route = async (parentId: string, part: string, verbs: string[], auth = 'AWS_IAM') => {
    const r = await gateway.send(new CreateResourceCommand({ restApiId: apiId, parentId, pathPart: part }));
    for (const verb of verbs) {
      await gateway.send(new PutMethodCommand({ restApiId: apiId, resourceId: r.id!, httpMethod: verb, authorizationType: auth }));
      await gateway.send(new PutIntegrationCommand({
        restApiId: apiId, resourceId: r.id!, httpMethod: verb, type: 'AWS_PROXY', integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations`,
      }));
    }
    return r.id!;
  };
  await route(root.id!, 'status', ['GET']);
  const files = await route(root.id!, 'files', ['GET', 'POST']);
  await route(files, '{key+}', ['GET']);
  await route(root.id!, 'open', ['GET'], 'NONE');
  const deployment = await gateway.send(new CreateDeploymentCommand({ restApiId: apiId }));
  await gateway.send(new CreateStageCommand({ restApiId: apiId, stageName: 'prod', deploymentId: deployment.id!, variables: { tier: 'gold' } }));
  base = `${local.endpoint}/_aws/execute-api/${apiId}/prod`;
}, 60_000);
afterAll(async () => {
  gateway.destroy();
  await local.stop();
});

const call = (path: string, extra: Partial<Parameters<typeof signedFetch>[0]> = {}) =>
  signedFetch({ url: `${base}${path}`, region: 'us-east-1', credentials: good, ...extra });
const json = (text: string) => JSON.parse(text) as Record<string, any>;

describe('control plane', () => {
  it('lists what was created: get-rest-apis, get-resources, get-stages', async () => {
    const apis = await gateway.send(new GetRestApisCommand({}));
    expect(apis.items?.map((a) => a.name)).toContain('partner');
    expect(apis.items?.find((a) => a.id === apiId)?.endpointConfiguration?.types).toEqual(['REGIONAL']);
    const resources = await gateway.send(new GetResourcesCommand({ restApiId: apiId }));
    expect(resources.items?.map((r) => r.path).sort()).toEqual(['/', '/files', '/files/{key+}', '/open', '/status']);
    expect(resources.items?.find((r) => r.path === '/files')?.resourceMethods).toHaveProperty('POST');
    const stages = await gateway.send(new GetStagesCommand({ restApiId: apiId }));
    expect(stages.item?.map((s) => s.stageName)).toEqual(['prod']);
  });

  it('refuses what API Gateway refuses: a duplicate path part, two variables as siblings, an unknown API', async () => {
    const root = (await gateway.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find((r) => r.path === '/')!;
    await expect(gateway.send(new CreateResourceCommand({ restApiId: apiId, parentId: root.id!, pathPart: 'files' }))).rejects.toMatchObject({ name: 'ConflictException' });
    const files = (await gateway.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find((r) => r.path === '/files')!;
    await expect(gateway.send(new CreateResourceCommand({ restApiId: apiId, parentId: files.id!, pathPart: '{other}' }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(gateway.send(new CreateResourceCommand({ restApiId: apiId, parentId: root.id!, pathPart: 'a/b' }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(gateway.send(new GetResourcesCommand({ restApiId: 'nosuchapi' }))).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });
});

describe('invocation through the Lambda proxy integration', () => {
  it('builds the event AWS builds: greedy path parameter, query and header values, stage variables, caller identity', async () => {
    const res = await call('/files/incoming/d%C3%A9j%C3%A0%20vu/a%2Fb.json?x=1&x=2&y=%E2%9C%93', { headers: { 'x-multi': 'one' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    const event = json(res.text);
    expect(event).toMatchObject({
      resource: '/files/{key+}',
      path: '/files/incoming/déjà vu/a/b.json',
      httpMethod: 'GET',
      pathParameters: { key: 'incoming/déjà vu/a/b.json' },
      queryStringParameters: { x: '2', y: '✓' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['✓'] },
      stageVariables: { tier: 'gold' },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        apiId,
        stage: 'prod',
        resourcePath: '/files/{key+}',
        path: '/prod/files/incoming/déjà vu/a/b.json',
        accountId: '000000000000',
        identity: { accessKey: 'test', userArn: 'arn:aws:iam::000000000000:user/test', user: 'test', accountId: '000000000000', sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers['x-multi']).toBe('one');
    expect(event.multiValueHeaders['x-multi']).toEqual(['one']);
    expect(typeof event.requestContext.requestTimeEpoch).toBe('number');
  });

  it('passes a POST body as text and answers on host-style URLs ({apiId}.execute-api.localhost)', async () => {
    const posted = json((await call('/files', { method: 'POST', body: '{"filename":"a.json"}' })).text);
    expect(posted).toMatchObject({ resource: '/files', httpMethod: 'POST', body: '{"filename":"a.json"}', pathParameters: null });

    const port = new URL(local.endpoint).port;
    const host = `${apiId}.execute-api.localhost:${port}`;
    const signed = await signRequest({ url: `http://${host}/prod/status`, region: 'us-east-1', credentials: good });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/prod/status', headers: { ...signed.headers, host } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(json(answer.body)).toMatchObject({ resource: '/status', requestContext: { domainName: `${apiId}.execute-api.localhost` } });
  });

  it('answers 502 "Internal server error" when the function throws or returns a malformed proxy response', async () => {
    for (const path of ['/files/malformed', '/files/extra', '/files/throws']) {
      const res = await call(path);
      expect(res.status, path).toBe(502);
      expect(json(res.text)).toEqual({ message: 'Internal server error' });
    }
  });

  it('answers a route that does not exist 403 Missing Authentication Token, an unknown stage 403 Forbidden, an unknown API 404', async () => {
    const missing = await call('/nothing/here');
    expect(missing.status).toBe(403);
    expect(missing.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(json(missing.text)).toEqual({ message: 'Missing Authentication Token' });
    expect((await call('/status', { method: 'DELETE' })).status).toBe(403);
    expect((await call('/files/', {})).status).toBe(200); // a trailing slash is the same resource
    const stage = await signedFetch({ url: `${local.endpoint}/_aws/execute-api/${apiId}/nostage/status`, region: 'us-east-1', credentials: good });
    expect([stage.status, json(stage.text)]).toEqual([403, { message: 'Forbidden' }]);
    const api = await fetch(`${local.endpoint}/_aws/execute-api/zzzzzzzzzz/prod/status`);
    expect(api.status).toBe(404);
  });

  it('refuses a body over 10 MB with 413', async () => {
    const res = await call('/files', { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it('serves a NONE method unsigned', async () => {
    const res = await fetch(`${base}/open`);
    expect(res.status).toBe(200);
    expect(json(await res.text()).requestContext.identity).toMatchObject({ accessKey: null, userArn: null });
  });
});

describe('AWS_IAM', () => {
  it('answers an unsigned request 403 Missing Authentication Token', async () => {
    const res = await fetch(`${base}/status`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('answers an unknown key 403 UnrecognizedClientException', async () => {
    const res = await call('/status', { credentials: { accessKeyId: 'AKIANOTKNOWN', secretAccessKey: 'x' } });
    expect([res.status, res.headers.get('x-amzn-errortype')]).toEqual([403, 'UnrecognizedClientException']);
    expect(json(res.text)).toEqual({ message: 'The security token included in the request is invalid.' });
  });

  it('answers a wrong secret 403 InvalidSignatureException, with the canonical request it expected', async () => {
    const res = await call('/status', { credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } });
    expect([res.status, res.headers.get('x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);
    expect(json(res.text).message).toMatch(/^The request signature we calculated does not match the signature you provided\..*The Canonical String for this request should have been\n'GET\n/s);
  });

  it('answers a signature older than 5 minutes 403 Signature expired, and one from the future "not yet current"', async () => {
    const old = await call('/status', { signingDate: new Date(Date.now() - 6 * 60_000) });
    expect([old.status, old.headers.get('x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);
    expect(json(old.text).message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const future = await call('/status', { signingDate: new Date(Date.now() + 6 * 60_000) });
    expect(json(future.text).message).toMatch(/^Signature not yet current/);
  });

  it('refuses a body changed after signing and a tampered query', async () => {
    const signed = await signRequest({ url: `${base}/files`, method: 'POST', body: '{"a":1}', region: 'us-east-1', credentials: good });
    const tampered = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: '{"a":2}' });
    expect(tampered.status).toBe(403);
    const query = await signRequest({ url: `${base}/files?limit=1`, region: 'us-east-1', credentials: good });
    expect((await fetch(query.url.replace('limit=1', 'limit=2'), { headers: query.headers })).status).toBe(403);
    expect((await fetch(query.url, { headers: query.headers })).status).toBe(200);
  });

  it('accepts a presigned (query-string) URL until it expires', async () => {
    const fresh = await call('/status', { presignSeconds: 60 });
    expect(fresh.status).toBe(200);
    const expired = await call('/status', { presignSeconds: 60, signingDate: new Date(Date.now() - 120_000) });
    expect(expired.status).toBe(403);
    expect(json(expired.text).message).toMatch(/^Signature expired/);
  });

  it('refuses a malformed Authorization header with 403 and what is missing', async () => {
    const res = await fetch(`${base}/status`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/execute-api/aws4_request' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/requires 'SignedHeaders' parameter/);
  });
});

describe('request parameter validation', () => {
  /** A small API of its own: GET /search needs ?q and an x-partner header when the validator says so. */
  async function searchApi(validateRequestParameters: boolean) {
    const api = await gateway.send(new CreateRestApiCommand({ name: `search-${validateRequestParameters}` }));
    const root = (await gateway.send(new GetResourcesCommand({ restApiId: api.id! }))).items!.find((r) => r.path === '/')!;
    const validator = await gateway.send(new CreateRequestValidatorCommand({ restApiId: api.id!, name: 'params', validateRequestParameters, validateRequestBody: false }));
    const search = await gateway.send(new CreateResourceCommand({ restApiId: api.id!, parentId: root.id!, pathPart: 'search' }));
    await gateway.send(new PutMethodCommand({
      restApiId: api.id!, resourceId: search.id!, httpMethod: 'GET', authorizationType: 'NONE', requestValidatorId: validator.id!,
      requestParameters: { 'method.request.querystring.q': true, 'method.request.header.x-partner': true, 'method.request.querystring.page': false },
    }));
    await gateway.send(new PutIntegrationCommand({
      restApiId: api.id!, resourceId: search.id!, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST',
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    }));
    await gateway.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'v1' }));
    return { id: api.id!, validatorId: validator.id!, url: `${local.endpoint}/_aws/execute-api/${api.id}/v1/search` };
  }

  it('answers a missing or blank required parameter 400 with the names, before the integration runs', async () => {
    const api = await searchApi(true);
    expect((await gateway.send(new GetRequestValidatorsCommand({ restApiId: api.id }))).items).toEqual([
      { id: api.validatorId, name: 'params', validateRequestBody: false, validateRequestParameters: true },
    ]);
    const none = await fetch(api.url);
    expect([none.status, none.headers.get('x-amzn-errortype')]).toEqual([400, 'BadRequestException']);
    expect(await none.json()).toEqual({ message: 'Missing required request parameters: [x-partner, q]' });
    const blank = await fetch(`${api.url}?q=`, { headers: { 'X-Partner': 'acme' } });
    expect([blank.status, await blank.json()]).toEqual([400, { message: 'Missing required request parameters: [q]' }]);
    const noHeader = await fetch(`${api.url}?q=shoes&x-partner=acme`);
    expect(await noHeader.json()).toEqual({ message: 'Missing required request parameters: [x-partner]' });
    // The optional one (page) may be left out; header names match in any case.
    const ok = await fetch(`${api.url}?q=shoes`, { headers: { 'X-Partner': 'acme' } });
    expect(ok.status).toBe(200);
    expect(json(await ok.text())).toMatchObject({ resource: '/search', queryStringParameters: { q: 'shoes' } });
  });

  it('lets the BAD_REQUEST_PARAMETERS gateway response reshape the answer', async () => {
    const api = await searchApi(true);
    await gateway.send(new PutGatewayResponseCommand({
      restApiId: api.id, responseType: 'BAD_REQUEST_PARAMETERS', statusCode: '422',
      responseTemplates: { 'application/json': '{"error":$context.error.messageString}' },
    }));
    const res = await fetch(api.url, { headers: { 'x-partner': 'acme' } });
    expect([res.status, await res.json()]).toEqual([422, { error: 'Missing required request parameters: [q]' }]);
  });

  it('does not check parameters when the validator validates only bodies', async () => {
    const api = await searchApi(false);
    expect((await fetch(api.url)).status).toBe(200);
  });
});

describe('stage throttling', () => {
  it('admits the burst, then the rate, and refuses the rest', () => {
    const throttle = new Throttle();
    const stage = { stageName: 'prod', deploymentId: 'd', methodSettings: { '*/*': { throttlingRateLimit: 2, throttlingBurstLimit: 3 } }, tracingEnabled: false, createdDate: 0, lastUpdatedDate: 0 };
    const t0 = 1_000_000;
    const admitted = [0, 1, 2, 3].map(() => throttle.admit('api', stage, '/status/GET', t0));
    expect(admitted).toEqual([true, true, true, false]);
    expect(throttle.admit('api', stage, '/status/GET', t0 + 500)).toBe(true); // 2/s: one token back after 0.5 s
    expect(throttle.admit('api', stage, '/status/GET', t0 + 500)).toBe(false);
  });
});
