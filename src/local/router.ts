import type { ServiceRequest } from './request.js';
import { isExecuteApi } from './services/apigateway/routing.js';

/** `X-Amz-Target` prefixes of the JSON-protocol services, to their signing names. */
const TARGETS: Record<string, string> = {
  AmazonSQS: 'sqs',
  DynamoDB_20120810: 'dynamodb',
  Logs_20140328: 'logs',
  AmazonSSM: 'ssm',
};

/**
 * Which service a request is for: the `X-Amz-Target` prefix, else the SigV4 credential scope's service
 * name, else (unsigned) S3, whose presigned and anonymous requests are the only unsigned ones clients send.
 */
export function resolveService(req: ServiceRequest, extraTargets: ReadonlyMap<string, string>): string {
  // API Gateway's invoke URLs, signed or not (before S3, whose virtual hosts are `*.localhost` too).
  if (isExecuteApi(req.header('host'), req.url.pathname)) return 'execute-api';
  if (req.targetPrefix) {
    const byTarget = extraTargets.get(req.targetPrefix) ?? TARGETS[req.targetPrefix];
    if (byTarget) return byTarget;
  }
  return req.signingService ?? 's3';
}
