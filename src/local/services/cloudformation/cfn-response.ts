/**
 * The ResponseURL of Lambda-backed custom resources. On AWS it is a presigned S3 URL; here it is
 * `<endpoint>/_tap/cfn-response/<token>` on the local endpoint, where the handler PUTs its JSON
 * response (the cfn-response protocol) and the waiting provider picks it up.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import type { ServiceRequest } from '../../request.js';

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId?: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

const waiting = new Map<string, (response: CustomResourceResponse) => void>();

export const RESPONSE_PATH = '/_tap/cfn-response/';

/** A fresh response URL and the promise of what gets PUT there (rejects after `timeoutMs`). */
export function expectResponse(endpoint: string, timeoutMs: number): { url: string; response: Promise<CustomResourceResponse> } {
  const token = randomUUID();
  const response = new Promise<CustomResourceResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(token);
      reject(new Error(`Failed to receive a response from the custom resource handler within ${Math.round(timeoutMs / 1000)} seconds.`));
    }, timeoutMs);
    timer.unref();
    waiting.set(token, (r) => {
      clearTimeout(timer);
      waiting.delete(token);
      resolve(r);
    });
  });
  return { url: `${endpoint}${RESPONSE_PATH}${token}`, response };
}

/** The admin route: accepts the PUT as S3 would (200, empty body); errors are JSON, as every /_tap answer. */
export async function handleCfnResponse(req: ServiceRequest, res: ServerResponse): Promise<void> {
  const token = req.url.pathname.slice(RESPONSE_PATH.length);
  const text = (await req.body()).toString('utf8');
  let body: CustomResourceResponse | undefined;
  try {
    body = JSON.parse(text) as CustomResourceResponse;
  } catch {
    body = undefined;
  }
  const deliver = waiting.get(token);
  if (req.method !== 'PUT') throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  if (!body) throw new AwsError('MalformedJSON', 'The custom resource response is not valid JSON.', 400);
  if (!deliver) throw new AwsError('NoSuchKey', 'No custom resource is waiting for this response.', 404);
  deliver(body);
  res.writeHead(200, { 'content-length': 0 });
  res.end();
}
