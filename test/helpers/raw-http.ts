import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request with exactly the headers given (Host, Origin, Referer included), the way a browser
 * or a hostile client would send it; SDK clients cannot send most of these.
 */
export function rawRequest(
  endpoint: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        // Node frames DELETE/OPTIONS bodies with nothing unless told: say the length, as clients do.
        headers: {
          ...(options.body !== undefined && !options.headers?.['transfer-encoding'] ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends headers and part of a body, then hangs up: a client that gives up halfway. */
export function abortMidBody(endpoint: string, path: string, headers: Record<string, string>, partial: string): Promise<void> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers, agent: false });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.flushHeaders();
    req.write(partial, () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 50));
  });
}
