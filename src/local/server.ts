import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { ACCOUNT_ID } from './config.js';
import { DataDir, registerDataDir, unregisterDataDir } from './data-dir.js';
import { AwsError } from './errors.js';
import { Faults } from './faults.js';
import { sendJsonError } from './protocols/json.js';
import { sendQueryError } from './protocols/query.js';
import { sendRestXmlError } from './protocols/rest.js';
import { ServiceRequest } from './request.js';
import { resolveService } from './router.js';
import type { LocalContext, LocalService, ServiceFactory } from './service.js';

export interface LocalAwsOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly services: readonly ServiceFactory[];
}

/** The embedded local AWS: one HTTP endpoint in front of the emulated services. */
export class LocalAws {
  readonly faults = new Faults();
  private readonly services = new Map<string, LocalService>();
  private readonly targets = new Map<string, string>();
  private server: Server | undefined;
  private url = '';
  private readonly startedAt = new Date();
  /** Layout, permissions, and what was found damaged at start (health reports it). */
  readonly data: DataDir;

  constructor(private readonly options: LocalAwsOptions) {
    this.data = new DataDir(options.dataDir);
    const ctx: LocalContext = {
      accountId: ACCOUNT_ID,
      dataDir: options.dataDir,
      endpoint: () => this.url,
      faults: this.faults,
      service: <T extends LocalService>(name: string) => {
        const service = this.services.get(name);
        if (!service) throw new Error(`tap local: service ${name} is not running`);
        return service as T;
      },
    };
    for (const factory of options.services) {
      const service = factory(ctx);
      this.services.set(service.name, service);
      for (const prefix of service.targetPrefixes ?? []) this.targets.set(prefix, service.name);
    }
  }

  get endpoint(): string {
    return this.url;
  }

  async start(): Promise<this> {
    this.data.prepare();
    registerDataDir(this.data);
    this.server = createServer((req, res) => void this.dispatch(req, res));
    // Long polls hold requests for up to 20 s; keep connections for SDK reuse.
    this.server.keepAliveTimeout = 65_000;
    this.server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    // Services start after the endpoint is known: they build queue URLs and start pollers with it.
    for (const service of this.services.values()) await service.start?.();
    return this;
  }

  async stop(): Promise<void> {
    for (const service of [...this.services.values()].reverse()) await service.stop?.();
    unregisterDataDir(this.data);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  health(): Record<string, unknown> {
    return {
      status: 'ok',
      endpoint: this.url,
      pid: process.pid,
      dataDir: this.options.dataDir,
      startedAt: this.startedAt.toISOString(),
      services: [...this.services.keys()].sort(),
      // Files found damaged at start, moved aside, and what that lost; notices such as an old layout moved aside.
      damaged: this.data.damaged,
      notices: this.data.notices,
    };
  }

  private async dispatch(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const req = new ServiceRequest(raw, randomUUID());
    if (req.url.pathname.startsWith('/_tap/')) {
      return handleAdmin(req, res, { faults: this.faults, health: () => this.health(), reset: () => this.reset() });
    }
    const name = resolveService(req, this.targets);
    const service = this.services.get(name);
    try {
      if (!service) throw new AwsError('UnrecognizedClientException', `tap local does not emulate the ${name} service.`);
      if (req.target) this.faults.maybeFail(name, req.target);
      await service.handle(req, res);
    } catch (error) {
      const awsError = error instanceof AwsError ? error : internalError(error);
      if (res.headersSent) {
        res.destroy(awsError);
        return;
      }
      if (service) service.sendError(req, res, awsError);
      else sendGuessedError(req, res, awsError);
    }
  }

  private async reset(): Promise<void> {
    for (const service of this.services.values()) await service.reset?.();
    this.faults.clear();
  }
}

function internalError(error: unknown): AwsError {
  // A bug of ours, not a user's mistake: log it where the server's output goes, answer like AWS would.
  console.error('[tap local] internal error:', error);
  return new AwsError('InternalError', `tap local internal error: ${(error as Error)?.message ?? String(error)}`, 500);
}

/** For an unknown service the protocol is unknown too: answer in the shape the request suggests. */
function sendGuessedError(req: ServiceRequest, res: ServerResponse, error: AwsError): void {
  if (req.target) return sendJsonError(res, req.requestId, error);
  if (req.header('content-type')?.includes('x-www-form-urlencoded')) {
    return sendQueryError(res, req.requestId, error, 'https://tap.local/doc/');
  }
  sendRestXmlError(res, req.requestId, error, req.method);
}
