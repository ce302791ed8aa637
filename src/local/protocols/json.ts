import type { ServerResponse } from 'node:http';
import type { AwsError } from '../errors.js';

/**
 * awsJson1_0 / awsJson1_1 (SQS, DynamoDB, CloudWatch Logs): POST /, `X-Amz-Target`, JSON both ways.
 * Errors carry `__type`; SQS also sends `x-amzn-query-error` for clients of its query-compatible mode.
 */
export function sendJson(res: ServerResponse, requestId: string, body: unknown, version: '1.0' | '1.1' = '1.0'): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(200, {
    'content-type': `application/x-amz-json-${version}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

export function sendJsonError(
  res: ServerResponse,
  requestId: string,
  error: AwsError,
  options: { typePrefix?: string; version?: '1.0' | '1.1' } = {},
): void {
  const text = JSON.stringify({
    __type: `${options.typePrefix ?? ''}${error.code}`,
    message: error.message,
    ...error.extra.fields,
  });
  res.writeHead(error.status, {
    'content-type': `application/x-amz-json-${options.version ?? '1.0'}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(error.extra.queryCode ? { 'x-amzn-query-error': `${error.extra.queryCode};${error.fault}` } : {}),
    ...error.extra.headers,
  });
  res.end(text);
}
