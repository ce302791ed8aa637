/**
 * The partner API from `tap`: its invoke URL for the target, and requests to it signed with the
 * caller's credentials (SigV4, service `execute-api`), as a partner would send them.
 */
import type { Clients } from './clients.js';
import { TapError, UserError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { signedFetch } from './signed-fetch.js';

/** One answer of the API. */
export interface ApiAnswer {
  readonly status: number;
  /** The JSON body, or the text when it is not JSON. */
  readonly body: unknown;
  readonly requestId?: string;
}

/**
 * The invoke URL for the target (ends with `/`). On AWS, the stack's output. On the local AWS or
 * another endpoint, the same API and stage at the endpoint's path-style address,
 * `<endpoint>/_aws/execute-api/<apiId>/<stage>/`, since `*.execute-api.<region>.amazonaws.com` is AWS's.
 */
export function apiUrl(clients: Clients, pipeline: Pipeline): string {
  if (!pipeline.apiUrl) {
    throw new UserError(`${pipeline.stackName} has no partner API: it was deployed by an older tap. Run tap deploy --env ${pipeline.env} to add it.`);
  }
  const endpoint = clients.target.endpoint;
  if (!endpoint) return pipeline.apiUrl;
  const m = /^https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.[a-z0-9.]+\/([^/]+)\/?$/.exec(pipeline.apiUrl);
  if (!m) throw new TapError(`The stack's API URL ${pipeline.apiUrl} is not an execute-api URL; cannot map it to ${endpoint}.`);
  return `${endpoint}/_aws/execute-api/${m[1]}/${m[2]}/`;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  /** `/status`, `/files?limit=5`, `/files/incoming/a.json`… (relative to the stage). */
  readonly path: string;
  /** JSON text for POST. */
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export async function callApi(clients: Clients, pipeline: Pipeline, request: ApiRequest): Promise<ApiAnswer> {
  const url = resolvePath(apiUrl(clients, pipeline), request.path);
  let answer;
  try {
    answer = await signedFetch({
      url,
      method: request.method,
      region: clients.target.region,
      credentials: clients.target.credentials,
      ...(request.body !== undefined && { body: request.body }),
      ...(request.signal && { signal: request.signal }),
    });
  } catch (error) {
    throw new TapError(`Could not reach the API at ${url}: ${(error as Error).message}`, { cause: error });
  }
  let body: unknown = answer.text;
  try {
    body = answer.text === '' ? null : JSON.parse(answer.text);
  } catch {
    // not JSON: keep the text
  }
  const requestId = answer.headers.get('x-amzn-requestid') ?? undefined;
  return { status: answer.status, body, ...(requestId && { requestId }) };
}

/** A path under the stage: `files/a.json` and `/files/a.json` alike; each segment encoded once. */
export function resolvePath(base: string, path: string): string {
  const trimmed = path.trim();
  if (/^[a-z]+:\/\//i.test(trimmed)) throw new UserError(`"${path}" is a URL; pass a path of the API instead, such as /status or /files/shipments.json.`);
  const [rawPath, query] = splitOnce(trimmed.replace(/^\/+/, ''), '?');
  const encoded = rawPath.split('/').map((segment) => encodeURIComponent(safeDecode(segment))).join('/');
  return `${base}${encoded}${query !== undefined ? `?${query}` : ''}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** A path typed already encoded (`a%20b.json`) is not encoded twice. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
