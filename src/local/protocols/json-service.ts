import type { ServerResponse } from 'node:http';
import { AwsError } from '../errors.js';
import type { ServiceRequest } from '../request.js';
import type { LocalContext } from '../service.js';
import { sendJson, sendJsonError } from './json.js';

export type JsonOperation = (input: Record<string, any>, req: ServiceRequest) => Promise<unknown>;

/**
 * The request/response loop of a JSON-protocol service: `X-Amz-Target` names the operation, the
 * body is its input, the result is its output.
 */
export function jsonHandler(
  ctx: LocalContext,
  service: string,
  operations: Record<string, JsonOperation>,
  version: '1.0' | '1.1',
): { handle(req: ServiceRequest, res: ServerResponse): Promise<void>; sendError(req: ServiceRequest, res: ServerResponse, e: AwsError): void } {
  return {
    async handle(req, res) {
      const name = req.target ?? '';
      const operation = operations[name];
      if (!operation) {
        throw new AwsError('UnknownOperationException', `tap local's ${service} does not implement ${name || '(no operation)'}.`);
      }
      ctx.faults.maybeFail(service, name);
      sendJson(res, req.requestId, (await operation(await req.json(), req)) ?? {}, version);
    },
    sendError(req, res, error) {
      sendJsonError(res, req.requestId, error, { version });
    },
  };
}

export function requireField<T>(input: Record<string, any>, name: string): T {
  const value = input[name];
  if (value === undefined || value === null || value === '') {
    throw new AwsError('ValidationException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return value as T;
}
