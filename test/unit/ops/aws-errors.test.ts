/**
 * Errors without a body, as the real SDK reports them: a tiny HTTP server answers every request with
 * a bare status (what an endpoint does to a HEAD, or when a bucket policy denies plain http).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../src/ops/aws-errors.js';
import { createClients } from '../../../src/ops/clients.js';
import { TapError, UserError } from '../../../src/ops/errors.js';
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
    expect(explained).toBeInstanceOf(UserError);
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
    expect(explained.message).toMatch(/answered SQS GetQueueAttributes with HTTP 503 .* try again/);
  });

  it('a 404 without a body points at the region and the endpoint', async () => {
    const raw = await failure(404, async (c) => (await c.sqs()).send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/000000000000/q` })));
    expect(explainAwsError(raw, target(), 'reading the queues').message).toMatch(/HTTP 404.*--region and --endpoint-url/);
  });
});
