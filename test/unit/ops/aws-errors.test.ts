/**
 * Errors without a body, as the real SDK reports them: a tiny HTTP server answers every request with
 * a bare status (what an endpoint does to a HEAD, or when a bucket policy denies plain http).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainAwsError, explained } from '../../../src/ops/aws-errors.js';
import { debugDetails } from '../../../src/cli/run.js';
import { createClients } from '../../../src/ops/clients.js';
import { AwsError, TapError, UserError } from '../../../src/ops/errors.js';
import type { Target } from '../../../src/ops/target.js';

let server: Server;
let endpoint = '';
let status = 403;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const target = (overrides: Partial<Target> = {}): Target => ({
  kind: 'endpoint',
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  description: endpoint,
  ...overrides,
});

/** What the SDK throws for one call against the bare-status server. */
async function failure(answer: number, call: (clients: ReturnType<typeof createClients>) => Promise<unknown>): Promise<unknown> {
  status = answer;
  const clients = createClients(target());
  try {
    await call(clients);
  } catch (error) {
    return error;
  } finally {
    clients.destroy();
  }
  throw new Error('the call did not fail');
}

const headObject = async (c: ReturnType<typeof createClients>) => (await c.s3()).send(new HeadObjectCommand({ Bucket: 'tap-assets', Key: 'k' }));

describe('explainAwsError on an answer without a body', () => {
  it('a 403 to a HEAD over http: operation, status, and the TLS-only bucket policy as the likely cause', async () => {
    const raw = await failure(403, headObject);
    expect((raw as Error).name).toBe('Unknown'); // what the SDK alone would show: "Unknown: UnknownError"
    const explained = explainAwsError(raw, target(), 'uploading assets');
    // The user can act on it, and the SDK's error stays behind it for --debug.
    expect(explained).toMatchObject({ name: 'AwsError', fixable: true, exitCode: 1, cause: raw });
    expect(explained.message).toContain(`${endpoint} answered S3 HeadObject with HTTP 403 and no error details while uploading assets`);
    expect(explained.message).toContain('aws:SecureTransport');
    expect(explained.message).not.toContain('UnknownError');
  });

  it('on an https endpoint the 403 names permissions and bucket policies, not TLS', async () => {
    const raw = await failure(403, headObject);
    const explained = explainAwsError(raw, target({ endpoint: 'https://s3.example.com', profile: 'ops' }), 'reading the bucket');
    expect(explained.message).toMatch(/HTTP 403.*IAM policy, profile "ops".*bucket policy/);
    expect(explained.message).not.toContain('SecureTransport');
  });

  it('a body-less 5xx from another service is a retryable TapError that says to try again', async () => {
    const raw = await failure(503, async (c) => (await c.sqs()).send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/000000000000/q` })));
    const explained = explainAwsError(raw, target(), 'reading the queues');
    expect(explained).toBeInstanceOf(TapError);
    expect(explained).toMatchObject({ fixable: false, cause: raw });
    expect(explained.message).toMatch(/answered SQS GetQueueAttributes with HTTP 503 .* try again/);
  });

  it('a 404 without a body points at the region and the endpoint', async () => {
    const raw = await failure(404, async (c) => (await c.sqs()).send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/000000000000/q` })));
    expect(explainAwsError(raw, target(), 'reading the queues').message).toMatch(/HTTP 404.*--region and --endpoint-url/);
  });
});

describe('explained: the one way ops turn what AWS throws into an AwsError', () => {
  it('credentials AWS rejects: fixable, exit code 2, the SDK error as the cause', async () => {
    const raw = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' });
    const error = await explained(target({ profile: 'ops' }), 'reading the stack', () => Promise.reject(raw)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ fixable: true, exitCode: 2, cause: raw });
    expect((error as Error).message).toMatch(/AWS rejected the credentials while reading the stack \(ExpiredToken: .*aws sso login --profile ops/);
  });

  it('an unreachable endpoint: fixable, exit code 2, names the endpoint', async () => {
    const raw = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = await explained(target({ endpoint: 'http://127.0.0.1:9' }), 'deploying', () => Promise.reject(raw)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AwsError', fixable: true, exitCode: 2, cause: raw });
    expect((error as Error).message).toContain('Could not reach http://127.0.0.1:9 while deploying (ECONNREFUSED)');
  });

  it('any other AWS error: not fixable, exit code 1, operation and message kept', async () => {
    const raw = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $operation: 'CloudFormation DescribeStacks', $metadata: { httpStatusCode: 400, requestId: 'req-1' } });
    const error = (await explained(target(), 'reading the stack', () => Promise.reject(raw)).catch((e: unknown) => e)) as AwsError;
    expect(error).toMatchObject({ fixable: false, exitCode: 1, cause: raw });
    expect(error.message).toBe('AWS returned an error while reading the stack (CloudFormation DescribeStacks, HTTP 400): Throttling: Rate exceeded');
    // --debug shows the request id to quote and the SDK's own stack, not only ours.
    expect(debugDetails(error)).toMatch(/^AWS request id: req-1 \(HTTP 400\)\nThrottling: Rate exceeded\n\s+at /);
  });

  it('our own errors pass through unchanged, and a result passes through', async () => {
    const mine = new UserError('fix the flag');
    await expect(explained(target(), 'x', () => Promise.reject(mine))).rejects.toBe(mine);
    expect(await explained(target(), 'x', async () => 42)).toBe(42);
  });
});
