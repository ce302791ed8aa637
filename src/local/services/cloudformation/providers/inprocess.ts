/**
 * For DynamoDB only, whose state has no in-process API the engine can reach (it is dynalite behind the
 * shared endpoint): the provider hands the service a synthesized JSON-protocol request, exactly what an
 * SDK would send minus the network, and reads the answer. Every other provider goes through its
 * service's store; contained here so that a store API could replace this in one place.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../../../errors.js';
import { ServiceRequest } from '../../../request.js';
import type { LocalContext } from '../../../service.js';

export function dynamodb<T = Record<string, any>>(local: LocalContext, region: string, operation: string, input: object): Promise<T> {
  return callJson<T>(local, { service: 'dynamodb', target: 'DynamoDB_20120810', version: '1.0' }, region, operation, input);
}

async function callJson<T>(
  local: LocalContext,
  api: { service: string; target: string; version: string },
  region: string,
  operation: string,
  input: object,
): Promise<T> {
  const body = Buffer.from(JSON.stringify(input));
  const raw = Readable.from([body]) as unknown as IncomingMessage;
  Object.assign(raw, {
    method: 'POST',
    url: '/',
    headers: {
      'content-type': `application/x-amz-json-${api.version}`,
      'x-amz-target': `${api.target}.${operation}`,
      'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      // dynalite wants a well-formed SigV4 header; it does not check the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=cloudformation/20260101/${region}/${api.service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0`,
      'content-length': String(body.length),
    },
  });
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const headers: Record<string, unknown> = {};
    const res = {
      statusCode: 200,
      headersSent: false,
      setHeader: (k: string, v: unknown) => void (headers[k.toLowerCase()] = v),
      getHeader: (k: string) => headers[k.toLowerCase()],
      writeHead(code: number, h?: Record<string, unknown>) {
        this.statusCode = code;
        Object.assign(headers, h);
        return this;
      },
      end(chunk?: string | Buffer) {
        resolve({ status: this.statusCode, text: chunk ? chunk.toString() : '' });
      },
    };
    const service = local.service(api.service);
    service.handle(new ServiceRequest(raw, randomUUID()), res as unknown as ServerResponse).catch(reject);
  });
  const json = text ? (JSON.parse(text) as Record<string, any>) : {};
  if (status >= 400) {
    const code = String(json.__type ?? 'InternalFailure').split('#').pop()!;
    throw new AwsError(code, String(json.message ?? json.Message ?? code), status);
  }
  return json as T;
}
