import type { ServerResponse } from 'node:http';
import { AwsError } from './errors.js';
import type { Faults } from './faults.js';
import { RESPONSE_PATH, handleCfnResponse } from './services/cloudformation/cfn-response.js';
import type { ServiceRequest } from './request.js';
import { RuntimeCache, runtimesDir } from './runtimes/cache.js';
import { usage } from './usage.js';

export interface AdminDeps {
  readonly faults: Faults;
  health(): Record<string, unknown>;
  reset(): Promise<void>;
}

export { ADMIN_HEADER, ADMIN_HEADERS } from './admin-headers.js';
import { ADMIN_HEADER } from './admin-headers.js';

/**
 * The local AWS's own surface, under `/_tap/`: health, fault switches, reset. Not an AWS API; tests
 * and `tap local` use it. Errors are JSON `{ __type, message }`, as the JSON-protocol services answer.
 */
export async function handleAdmin(req: ServiceRequest, res: ServerResponse, deps: AdminDeps): Promise<void> {
  // Custom resource handlers PUT their cfn-response here (AWS gives them a presigned S3 URL instead).
  // They cannot send the admin header (cfn-response modules are not ours); the URL's random token,
  // known only to the waiting provider and the handler, is what protects it.
  if (req.url.pathname.startsWith(RESPONSE_PATH)) return handleCfnResponse(req, res);
  if (req.header(ADMIN_HEADER) !== '1') {
    throw new AwsError('AccessDenied', `tap local's admin routes (/_tap/*) need the header "${ADMIN_HEADER}: 1"; tap's own commands send it.`, 403);
  }
  const route = `${req.method} ${req.url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_tap/health':
      return send(res, 200, deps.health());
    case 'GET /_tap/usage':
      // Walks the data dir: asked for by `tap local status`, not by the frequent health checks.
      return send(res, 200, await usage(String(deps.health().dataDir)));
    case 'GET /_tap/runtimes': {
      // What Lambda functions run on: installed runtimes, and those being installed (tap deploy asks).
      const cache = new RuntimeCache(runtimesDir(String(deps.health().dataDir)));
      return send(res, 200, { dir: cache.dir, installed: await cache.list(), installing: await cache.installing() });
    }
    case 'GET /_tap/faults':
      return send(res, 200, { faults: deps.faults.list() });
    case 'POST /_tap/faults': {
      let input: unknown;
      try {
        input = await req.json();
      } catch (error) {
        if (error instanceof AwsError) throw error;
        throw new AwsError('SerializationException', 'The fault is not valid JSON.');
      }
      return send(res, 201, { fault: deps.faults.add(input) });
    }
    case 'DELETE /_tap/faults':
      deps.faults.clear();
      return send(res, 200, { faults: [] });
    case 'POST /_tap/reset':
      await deps.reset();
      return send(res, 200, { reset: true });
    default:
      throw new AwsError('UnknownOperationException', `no admin route ${route.slice(0, 200)}`, 404);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
