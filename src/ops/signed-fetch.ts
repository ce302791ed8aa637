/**
 * HTTP requests signed with SigV4 for `execute-api` (the partner API is AWS_IAM), with the SDK's
 * own signer (@smithy/signature-v4) and the caller's credentials, sent with fetch.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface SignedRequest {
  readonly url: string;
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Signing time (tests sign in the past to see expiry answered). */
  readonly signingDate?: Date;
  /** Query-string signature (a presigned URL) instead of the Authorization header, valid this long. */
  readonly presignSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface SignedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** node:crypto behind the Checksum interface the signer takes (HMAC when given a secret). */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: Uint8Array | string | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** Signs (header or query form) and sends; the body of any answer is read as text. */
export async function signedFetch(request: SignedRequest): Promise<SignedResponse> {
  const signed = await signRequest(request);
  const res = await fetch(signed.url, {
    method: signed.method,
    headers: signed.headers,
    ...(request.body !== undefined && { body: request.body }),
    ...(request.signal && { signal: request.signal }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function signRequest(request: SignedRequest): Promise<{ url: string; method: string; headers: Record<string, string> }> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL(request.url);
  const method = (request.method ?? 'GET').toUpperCase();
  const signer = new SignatureV4({ service: 'execute-api', region: request.region, credentials: request.credentials, sha256: NodeSha256, uriEscapePath: true });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = { host: url.host, ...lower(request.headers ?? {}) };
  if (request.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const base = { method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query, headers, body: request.body };
  const options = request.signingDate ? { signingDate: request.signingDate } : {};
  const out = request.presignSeconds !== undefined
    ? await signer.presign(base, { ...options, expiresIn: request.presignSeconds })
    : await signer.sign(base, options);
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(out.query ?? {})) for (const value of Array.isArray(v) ? v : [v]) if (value !== null) search.append(k, value);
  const qs = search.toString().replace(/\+/g, '%20');
  const signedHeaders = { ...(out.headers as Record<string, string>) };
  delete signedHeaders.host; // fetch sets Host itself (from the URL, the same value)
  return { url: `${url.origin}${url.pathname}${qs ? `?${qs}` : ''}`, method, headers: signedHeaders };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
