/**
 * Who may talk to the local AWS, decided before any service sees a request. Browsers are the
 * attacker: any page the user opens can send a "simple" cross-origin POST (text/plain, no preflight)
 * to 127.0.0.1, and a DNS-rebinding page can even read the answers. So:
 *
 * - `Host` must name this machine's loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`, any
 *   port): a rebinding page's requests carry its own host name and are refused.
 * - `Origin` (or, without one, `Referer`) must be an allowed origin: loopback origins, plus those the
 *   user configures (`--allow-origin`, `TAP_LOCAL_ALLOWED_ORIGINS`). The AWS CLI, SDKs and boto3 send
 *   neither header and are not affected.
 * - CORS preflights are answered only for allowed origins, and only their responses carry
 *   `Access-Control-Allow-Origin`.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AwsError } from './errors.js';

/** The response headers a browser page may read (the ones SDKs in a browser need). */
const EXPOSED = [
  'etag', 'x-amz-request-id', 'x-amz-id-2', 'x-amzn-requestid', 'x-amzn-errortype', 'x-amz-version-id',
  'x-amz-delete-marker', 'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1', 'x-amz-checksum-sha256', 'x-amz-function-error', 'x-amz-log-result', 'x-amz-executed-version',
].join(', ');

export class FrontDoor {
  private readonly allowed: ReadonlySet<string>;

  /** `allowedOrigins`: exact origins (`https://app.example.com:8443`) allowed besides loopback ones. */
  constructor(allowedOrigins: readonly string[] = []) {
    this.allowed = new Set(allowedOrigins.map(normalizeOrigin));
  }

  /**
   * Throws an AccessDenied AwsError when the request must not reach any service. Returns the origin
   * to echo in CORS headers, if the request is an allowed cross-origin one.
   */
  admit(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host;
    if (host !== undefined && !isLoopbackHost(hostnameOf(host))) {
      throw denied(`tap local answers only requests addressed to this machine (localhost, 127.0.0.1, [::1], *.localhost), not to Host "${host.slice(0, 100)}".`);
    }
    const origin = single(headers.origin);
    if (origin !== undefined) {
      if (!this.isAllowed(origin)) throw denied(notAllowed(origin));
      return origin;
    }
    const referer = single(headers.referer);
    if (referer !== undefined) {
      let refOrigin: string;
      try {
        refOrigin = new URL(referer).origin;
      } catch {
        throw denied('tap local refuses requests with an unparseable Referer.');
      }
      if (!this.isAllowed(refOrigin)) throw denied(notAllowed(refOrigin));
    }
    return undefined;
  }

  isAllowed(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return isLoopbackHost(url.hostname) || this.allowed.has(url.origin);
  }

  /** Lets an allowed page read the answer (set before the service writes its head). */
  static allowResponse(res: ServerResponse, origin: string): void {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED);
    res.setHeader('vary', 'Origin');
  }

  /** A CORS preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin. */
  static answerPreflight(res: ServerResponse, origin: string, headers: IncomingHttpHeaders): void {
    const requested = single(headers['access-control-request-headers']);
    res.writeHead(204, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE, PATCH',
      ...(requested ? { 'access-control-allow-headers': requested.slice(0, 4096) } : {}),
      'access-control-expose-headers': EXPOSED,
      'access-control-max-age': '600',
      vary: 'Origin',
      'content-length': '0',
    });
    res.end();
  }
}

export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (URL hostnames keep IPv6 brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return /^[a-z0-9.-]+$/.test(h);
  if (h === '[::1]' || h === '::1') return true;
  return /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(h) && h.split('.').every((n) => Number(n) <= 255);
}

/** `host:port`, `[v6]:port` → the host name part. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** An origin as configured by the user: must be `scheme://host[:port]`. */
export function normalizeOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    throw new Error(`"${origin}" is not an origin; write it as scheme://host[:port], e.g. http://my-app.test:3000`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`"${origin}" is not an origin; write it as scheme://host[:port], e.g. http://my-app.test:3000`);
  }
  return url.origin;
}

/** `a,b , c` (TAP_LOCAL_ALLOWED_ORIGINS) and repeated flags → one checked list. */
export function parseOriginList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
    .map(normalizeOrigin);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function notAllowed(origin: string): string {
  return (
    `tap local refuses requests from the web page at ${origin.slice(0, 200)}: only loopback origins are allowed. ` +
    'To allow it, start tap local with --allow-origin <origin> (or TAP_LOCAL_ALLOWED_ORIGINS).'
  );
}

function denied(message: string): AwsError {
  return new AwsError('AccessDenied', message, 403);
}
