import type { ServerResponse } from 'node:http';
import type { Faults } from './faults.js';
import { RESPONSE_PATH, handleCfnResponse } from './services/cloudformation/cfn-response.js';
import type { ServiceRequest } from './request.js';
import { usage } from './usage.js';

export interface AdminDeps {
  readonly faults: Faults;
  health(): Record<string, unknown>;
  reset(): Promise<void>;
}

/**
 * The local AWS's own surface, under `/_tap/`: health, fault switches, reset. Not an AWS API; tests
 * and `tap local` use it.
 */
export async function handleAdmin(req: ServiceRequest, res: ServerResponse, deps: AdminDeps): Promise<void> {
  // Custom resource handlers PUT their cfn-response here (AWS gives them a presigned S3 URL instead).
  if (req.url.pathname.startsWith(RESPONSE_PATH)) return handleCfnResponse(req, res);
  const route = `${req.method} ${req.url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_tap/health':
      return send(res, 200, deps.health());
    case 'GET /_tap/usage':
      // Walks the data dir: asked for by `tap local status`, not by the frequent health checks.
      return send(res, 200, await usage(String(deps.health().dataDir)));
    case 'GET /_tap/faults':
      return send(res, 200, { faults: deps.faults.list() });
    case 'POST /_tap/faults':
      try {
        return send(res, 201, { fault: deps.faults.add(await req.json()) });
      } catch (error) {
        return send(res, 400, { error: (error as Error).message });
      }
    case 'DELETE /_tap/faults':
      deps.faults.clear();
      return send(res, 200, { faults: [] });
    case 'POST /_tap/reset':
      await deps.reset();
      return send(res, 200, { reset: true });
    default:
      return send(res, 404, { error: `no admin route ${route}` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
