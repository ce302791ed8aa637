import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { LocalHarness } from '../helpers/local.js';

/** An S3 client for the local endpoint: path-style, as every client of a local endpoint is configured. */
export function s3Client(local: LocalHarness, extra: Partial<S3ClientConfig> = {}): S3Client {
  // maxAttempts 1: an error must reach the test as it came, not be retried into something else.
  return new S3Client({ ...local.clientConfig, forcePathStyle: true, maxAttempts: 1, ...extra });
}

/** A fresh bucket name per test, so tests sharing one local AWS do not see each other's objects. */
export function bucketName(label = 'b'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export async function newBucket(s3: S3Client, label?: string): Promise<string> {
  const name = bucketName(label);
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Buffer> {
  if (!body) throw new Error('no body');
  return Buffer.from(await body.transformToByteArray());
}

/** Raw HTTP for what SDK clients cannot send (aws-chunked framing by hand, presigned-style queries). */
export async function raw(local: LocalHarness, method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) {
  const res = await fetch(`${local.endpoint}${path}`, {
    method,
    ...(init.headers && { headers: init.headers }),
    ...(init.body !== undefined && { body: init.body }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
