import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { DEFAULT_REGION } from './config.js';
import { AwsError } from './errors.js';
import { bodyLimitFor, type BodyLimit } from './limits.js';

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
  /** Why the credential scope is refused (a region or service name that is not one), if it is. */
  readonly scopeError: string | undefined;
  /** How much of the body `body()` reads; the server sets it per service before handing the request on. */
  limit: BodyLimit = bodyLimitFor('');
  /**
   * Why the body could not be read (over the limit, client gone). The server answers this rather than
   * whatever a service made of it: services that wrap body errors as "not JSON" would hide it.
   */
  bodyError: AwsError | undefined;
  private buffered: Promise<Buffer> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly requestId: string,
  ) {
    this.method = raw.method ?? 'GET';
    // Only the path and query matter (origin-form); `//x` or a bad escape must not end up elsewhere.
    const path = raw.url ?? '/';
    try {
      this.url = new URL(`http://localhost${path.startsWith('/') ? path : `/${path}`}`);
    } catch {
      throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400);
    }
    this.headers = raw.headers;
    const scope = credentialScope(raw.headers.authorization, this.url.searchParams.get('X-Amz-Credential'));
    this.scopeError = scope && checkScope(scope);
    // A refused scope never reaches a service (the server answers scopeError), but keep it harmless.
    this.region = scope && !this.scopeError ? scope.region : DEFAULT_REGION;
    this.signingService = scope && /^[a-z0-9-]{1,64}$/.test(scope.service) ? scope.service : scope ? 'invalid' : undefined;
    const target = header(raw.headers, 'x-amz-target');
    if (target) {
      const dot = target.lastIndexOf('.');
      this.targetPrefix = target.slice(0, dot);
      this.target = target.slice(dot + 1);
    }
  }

  /**
   * The whole body (buffered once), at most `limit.bytes`: past that (or a Content-Length over it) it
   * stops reading and rejects with the service's error; a client that hangs up mid-body rejects too.
   * Streaming services read `raw` instead.
   */
  body(): Promise<Buffer> {
    this.buffered ??= readCapped(this.raw, this.limit).catch((error: AwsError) => {
      this.bodyError = error;
      throw error;
    });
    return this.buffered;
  }

  async json<T = Record<string, unknown>>(): Promise<T> {
    const text = (await this.body()).toString('utf8');
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new AwsError('SerializationException', 'The request body is not valid JSON.');
    }
  }

  header(name: string): string | undefined {
    return header(this.headers, name);
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function readCapped(raw: IncomingMessage, limit: BodyLimit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(raw.headers['content-length']);
    if (declared > limit.bytes) return reject(limit.error());
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      raw.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit.bytes) return void chunks.push(chunk);
      done();
      raw.pause();
      chunks.length = 0;
      reject(limit.error());
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onGone = () => {
      done();
      chunks.length = 0;
      reject(new AwsError('IncompleteBody', 'The request body ended before its declared length (the client went away).', 400));
    };
    raw.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** AWS region names (us-east-1, us-gov-west-1, eusc-de-east-1, …): what SigV4 scopes may name. */
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

function checkScope(scope: { region: string; service: string }): string | undefined {
  if (!REGION.test(scope.region)) return `Credential should be scoped to a valid region, not '${scope.region.slice(0, 64)}'.`;
  if (!/^[a-z0-9-]{1,64}$/.test(scope.service)) return `Credential should be scoped to correct service: '${scope.service.slice(0, 64)}'.`;
  return undefined;
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
