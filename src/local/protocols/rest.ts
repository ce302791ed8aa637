import type { ServerResponse } from 'node:http';
import type { AwsError } from '../errors.js';
import { toXml } from './xml.js';

/** restJson1 (Lambda): the error code goes in `x-amzn-errortype`, details in a JSON body. */
export function sendRestJsonError(res: ServerResponse, requestId: string, error: AwsError): void {
  const text = JSON.stringify({ Type: error.fault === 'Sender' ? 'User' : 'Service', message: error.message, ...error.extra.fields });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId,
    ...error.extra.headers,
  });
  res.end(text);
}

export function sendRestJson(res: ServerResponse, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  res.end(text);
}

/** restXml (S3): `<Error><Code>…</Code><Message>…</Message>…</Error>`; HEAD responses carry no body. */
export function sendRestXmlError(res: ServerResponse, requestId: string, error: AwsError, method: string): void {
  const text = method === 'HEAD' ? '' : toXml({
    Error: { Code: error.code, Message: error.message, ...error.extra.fields, RequestId: requestId },
  });
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(text),
    'x-amz-request-id': requestId,
    ...error.extra.headers,
  });
  res.end(text);
}
