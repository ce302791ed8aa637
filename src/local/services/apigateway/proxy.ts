/**
 * The Lambda proxy integration: the event API Gateway (REST, v1) sends, and the checks it makes on
 * the function's answer. Anything but `{ statusCode, headers?, multiValueHeaders?, body?,
 * isBase64Encoded? }` is a malformed proxy response: 502 `{"message": "Internal server error"}`.
 */
import { ACCOUNT_ID } from '../../config.js';
import type { Caller } from './iam.js';
import type { Match } from './routing.js';

export interface ProxyInput {
  readonly apiId: string;
  readonly stage: string;
  readonly deploymentId: string;
  readonly requestId: string;
  readonly method: string;
  /** Decoded path after the stage. */
  readonly path: string;
  readonly rawHeaders: readonly string[];
  readonly query: URLSearchParams;
  readonly body: Buffer;
  readonly match: Match;
  readonly stageVariables: Record<string, string> | undefined;
  readonly caller: Caller | undefined;
  readonly sourceIp: string;
  readonly domainName: string;
  readonly now: Date;
}

export function proxyEvent(input: ProxyInput): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) {
    const name = input.rawHeaders[i]!;
    const value = input.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of input.query) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const hasHeaders = Object.keys(headers).length > 0;
  const userAgent = headers['User-Agent'] ?? headers['user-agent'] ?? null;
  return {
    resource: input.match.resource.path,
    path: input.path,
    httpMethod: input.method,
    headers: hasHeaders ? headers : null,
    multiValueHeaders: hasHeaders ? multiValueHeaders : null,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: input.match.pathParameters,
    stageVariables: input.stageVariables && Object.keys(input.stageVariables).length > 0 ? input.stageVariables : null,
    requestContext: {
      resourceId: input.match.resource.id,
      resourcePath: input.match.resource.path,
      httpMethod: input.method,
      extendedRequestId: input.requestId,
      requestTime: clfTime(input.now),
      path: `/${input.stage}${input.path}`,
      accountId: ACCOUNT_ID,
      protocol: 'HTTP/1.1',
      stage: input.stage,
      domainPrefix: input.domainName.split('.')[0],
      requestTimeEpoch: input.now.getTime(),
      requestId: input.requestId,
      identity: identity(input.caller, input.sourceIp, userAgent),
      domainName: input.domainName,
      deploymentId: input.deploymentId,
      apiId: input.apiId,
    },
    // Without binary media types configured, API Gateway passes the body as text.
    body: input.body.length > 0 ? input.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

function identity(caller: Caller | undefined, sourceIp: string, userAgent: string | null): Record<string, unknown> {
  return {
    cognitoIdentityPoolId: null,
    accountId: caller ? ACCOUNT_ID : null,
    cognitoIdentityId: null,
    caller: caller ? caller.credential.user : null,
    sourceIp,
    principalOrgId: null,
    accessKey: caller?.accessKeyId ?? null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: caller?.credential.userArn ?? null,
    userAgent,
    user: caller ? caller.credential.user : null,
  };
}

/** `01/Dec/2026:20:05:09 +0000`, the requestTime format. */
export function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
}

const ALLOWED = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);

/** The function's answer as an HTTP response, or undefined when it is malformed (→ 502). */
export function proxyResponse(payload: string): ProxyResponse | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const a = answer as Record<string, unknown>;
  if (Object.keys(a).some((k) => !ALLOWED.has(k))) return undefined;
  const status = Number(a.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (a.body !== undefined && a.body !== null && typeof a.body !== 'string') return undefined;
  if (a.headers !== undefined && a.headers !== null && (typeof a.headers !== 'object' || Array.isArray(a.headers))) return undefined;
  if (a.multiValueHeaders !== undefined && a.multiValueHeaders !== null && (typeof a.multiValueHeaders !== 'object' || Array.isArray(a.multiValueHeaders))) return undefined;
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries((a.headers ?? {}) as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object') return undefined;
    headers.push([name, String(value)]);
  }
  for (const [name, values] of Object.entries((a.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(values)) return undefined;
    for (const value of values) headers.push([name, String(value)]);
  }
  if (headers.some(([n, v]) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n) || /[\r\n]/.test(v))) return undefined;
  const text = (a.body as string | null | undefined) ?? '';
  const body = a.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode: status, headers, body };
}
