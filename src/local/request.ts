import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { DEFAULT_REGION } from './config.js';

/** One incoming request, with what every service needs already worked out. */
export class ServiceRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** The SigV4 signing region, or the default when the request is unsigned. */
  readonly region: string;
  /** The SigV4 signing service name (`s3`, `sqs`, …), if signed. */
  readonly signingService: string | undefined;
  /** The operation from `X-Amz-Target` (`AmazonSQS.SendMessage` → `SendMessage`), if any. */
  readonly target: string | undefined;
  readonly targetPrefix: string | undefined;
  private buffered: Promise<Buffer> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly requestId: string,
  ) {
    this.method = raw.method ?? 'GET';
    this.url = new URL(raw.url ?? '/', 'http://localhost');
    this.headers = raw.headers;
    const scope = credentialScope(raw.headers.authorization, this.url.searchParams.get('X-Amz-Credential'));
    this.region = scope?.region ?? DEFAULT_REGION;
    this.signingService = scope?.service;
    const target = header(raw.headers, 'x-amz-target');
    if (target) {
      const dot = target.lastIndexOf('.');
      this.targetPrefix = target.slice(0, dot);
      this.target = target.slice(dot + 1);
    }
  }

  /** The whole body (buffered once). Streaming services read `raw` instead. */
  body(): Promise<Buffer> {
    this.buffered ??= new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.raw.on('data', (c: Buffer) => chunks.push(c));
      this.raw.on('end', () => resolve(Buffer.concat(chunks)));
      this.raw.on('error', reject);
    });
    return this.buffered;
  }

  async json<T = Record<string, unknown>>(): Promise<T> {
    const text = (await this.body()).toString('utf8');
    return (text ? JSON.parse(text) : {}) as T;
  }

  header(name: string): string | undefined {
    return header(this.headers, name);
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, …` → region and service. */
export function credentialScope(
  authorization: string | undefined,
  presignedCredential: string | null,
): { region: string; service: string } | undefined {
  const credential = presignedCredential ?? /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1];
  const parts = credential?.split('/');
  if (!parts || parts.length < 5) return undefined;
  return { region: parts[2]!, service: parts[3]! };
}
