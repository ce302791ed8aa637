/**
 * A stage's access log line: the stage's format with `$context.…` variables filled in (the common
 * ones; others become `-`, as API Gateway writes a value it does not have).
 */
import type { ServiceRequest } from '../../request.js';
import type { Caller } from './iam.js';
import { clfTime } from './proxy.js';
import type { InvokeTarget, Match } from './routing.js';

export interface AccessLogFields {
  readonly req: ServiceRequest;
  readonly target: InvokeTarget;
  readonly match: Match;
  readonly caller: Caller | undefined;
  readonly sourceIp: string;
  readonly status: number;
  readonly started: Date;
}

export function accessLogLine(format: string, f: AccessLogFields): string {
  const values: Record<string, string> = {
    requestId: f.req.requestId,
    extendedRequestId: f.req.requestId,
    'identity.sourceIp': f.sourceIp,
    'identity.caller': f.caller?.credential.user ?? '-',
    'identity.user': f.caller?.credential.user ?? '-',
    'identity.userArn': f.caller?.credential.userArn ?? '-',
    'identity.accessKey': f.caller?.accessKeyId ?? '-',
    'identity.userAgent': f.req.header('user-agent') ?? '-',
    requestTime: clfTime(f.started),
    requestTimeEpoch: String(f.started.getTime()),
    httpMethod: f.req.method,
    resourcePath: f.match.resource.path,
    path: `/${f.target.stage}${f.target.rawPath}`,
    status: String(f.status),
    protocol: 'HTTP/1.1',
    responseLength: '-',
    responseLatency: String(Date.now() - f.started.getTime()),
    stage: f.target.stage,
    apiId: f.target.apiId,
  };
  return format.replace(/\$context\.([A-Za-z.]+)/g, (_m, name: string) => jsonSafe(values[name] ?? '-'));
}

/** Values land inside the format's JSON strings: keep them from breaking out. */
function jsonSafe(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
