import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { ACCOUNT_ID } from './config.js';
import { DataDir, registerDataDir, unregisterDataDir } from './data-dir.js';
import { AwsError } from './errors.js';
import { Faults } from './faults.js';
import { FrontDoor, isPreflight } from './front-door.js';
import { ADMIN_LIMIT, bodyLimitFor } from './limits.js';
import { sendJsonError } from './protocols/json.js';
import { sendQueryError } from './protocols/query.js';
import { sendRestXmlError } from './protocols/rest.js';
import { ServiceRequest } from './request.js';
import { resolveService } from './router.js';
import { MAX_PUT_SIZE } from './services/s3/ingest.js';
import type { LocalContext, LocalService, ServiceFactory } from './service.js';

export interface LocalAwsOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly services: readonly ServiceFactory[];
  /** Web origins allowed besides loopback ones (`--allow-origin`, TAP_LOCAL_ALLOWED_ORIGINS). */
  readonly allowedOrigins?: readonly string[];
  /** The largest S3 object body of one PUT or part; S3's 5 GiB by default. */
  readonly maxObjectBytes?: number;
}

/** The embedded local AWS: one HTTP endpoint in front of the emulated services. */
export class LocalAws {
  readonly faults = new Faults();
  private readonly services = new Map<string, LocalService>();
  private readonly targets = new Map<string, string>();
  private server: Server | undefined;
  private url = '';
  private readonly startedAt = new Date();
  private readonly door: FrontDoor;
  /** Layout, permissions, and what was found damaged at start (health reports it). */
  readonly data: DataDir;

  constructor(private readonly options: LocalAwsOptions) {
    this.door = new FrontDoor(options.allowedOrigins);
    this.data = new DataDir(options.dataDir);
    const ctx: LocalContext = {
      accountId: ACCOUNT_ID,
      dataDir: options.dataDir,
      endpoint: () => this.url,
      faults: this.faults,
      maxObjectBytes: options.maxObjectBytes ?? MAX_PUT_SIZE,
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
    this.server = createServer((req, res) => void this.guarded(req, res));
    // A malformed request line or headers: answer 400 if the socket still can, never throw.
    this.server.on('clientError', (_error, socket) => {
      // After an answer has gone out on this socket (the rest of an unread body failed to parse), a
      // second one would be garbage to the client: just close.
      const answered = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
      if (socket.writable && !socket.destroyed && !answered) socket.end(BAD_REQUEST);
      else socket.destroy();
    });
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

  /** The one guard every request runs in: whatever a request does, the process keeps serving. */
  private async guarded(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    // Without listeners, a stream error (a client's reset mid-body) would be an uncaught exception.
    raw.on('error', () => {});
    res.on('error', () => {});
    let req: ServiceRequest | undefined;
    let service: LocalService | undefined;
    try {
      req = new ServiceRequest(raw, randomUUID());
      const name = resolveService(req, this.targets);
      service = req.url.pathname.startsWith('/_tap/') ? undefined : this.services.get(name);
      await this.dispatch(req, res, name, service);
    } catch (error) {
      const awsError = req?.bodyError ?? (error instanceof AwsError ? error : internalError(error));
      sendErrorSafely(req, res, service, awsError);
    }
  }

  private async dispatch(req: ServiceRequest, res: ServerResponse, name: string, service: LocalService | undefined): Promise<void> {
    const origin = this.door.admit(req.headers);
    if (origin !== undefined) {
      if (isPreflight(req.method, req.headers)) return FrontDoor.answerPreflight(res, origin, req.headers);
      FrontDoor.allowResponse(res, origin);
    }
    if (req.url.pathname.startsWith('/_tap/')) {
      req.limit = ADMIN_LIMIT;
      return handleAdmin(req, res, { faults: this.faults, health: () => this.health(), reset: () => this.reset() });
    }
    if (req.scopeError) {
      throw name === 's3'
        ? new AwsError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${req.scopeError}`, 400)
        : new AwsError(QUERY_SERVICES.has(name) ? 'SignatureDoesNotMatch' : 'InvalidSignatureException', req.scopeError, 403);
    }
    if (!service) throw new AwsError('UnrecognizedClientException', `tap local does not emulate the ${name} service.`);
    req.limit = bodyLimitFor(name);
    if (req.target) this.faults.maybeFail(name, req.target);
    await service.handle(req, res);
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

const BAD_REQUEST_BODY = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadRequest</Code><Message>The HTTP request is malformed.</Message></Error>';
const BAD_REQUEST =
  'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/xml\r\n' +
  `Content-Length: ${BAD_REQUEST_BODY.length}\r\n\r\n${BAD_REQUEST_BODY}`;

/** The awsQuery services, whose signature errors are `SignatureDoesNotMatch`. */
const QUERY_SERVICES = new Set(['sts', 'iam', 'sns', 'cloudformation', 'monitoring']);

/**
 * Writes an error reply; never throws. When the answer has begun, or the socket is gone, the only
 * honest reply is to close the connection. A body left unread (refused as too large, or not needed)
 * is not read further: the connection closes once the answer is out.
 */
function sendErrorSafely(req: ServiceRequest | undefined, res: ServerResponse, service: LocalService | undefined, error: AwsError): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (!req) {
    // The request could not even be parsed into one: S3's shape, as for any unsigned request.
    try {
      res.setHeader('connection', 'close');
      sendRestXmlError(res, randomUUID(), error, 'GET');
    } catch {
      res.destroy();
    }
    return;
  }
  if (!Number.isInteger(error.status) || error.status < 300 || error.status > 599) {
    error = new AwsError('InternalError', `tap local internal error: invalid status ${String(error.status)} for ${error.code}`, 500);
  }
  if (error.code === 'AccessDenied' && service && !['s3', ...QUERY_SERVICES].includes(service.name)) {
    error = new AwsError('AccessDeniedException', error.message, 403);
  }
  try {
    if (!req.raw.complete) closeAfterAnswer(req, res);
    if (service) service.sendError(req, res, error);
    else sendGuessedError(req, res, error);
  } catch (sendFailure) {
    console.error('[tap local] could not send an error reply:', sendFailure);
    res.destroy();
  }
}

function closeAfterAnswer(req: ServiceRequest, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  req.raw.unpipe();
  req.raw.pause();
  // Node ends the connection after the answer and discards (never buffers) what the client still
  // sends; a client that keeps sending anyway is cut off after a while.
  res.once('finish', () => setTimeout(() => req.raw.socket?.destroy(), 5000).unref());
}

/** For an unknown service the protocol is unknown too: answer in the shape the request suggests. */
function sendGuessedError(req: ServiceRequest, res: ServerResponse, error: AwsError): void {
  if (req.target || req.url.pathname.startsWith('/_tap/')) return sendJsonError(res, req.requestId, error);
  if (req.header('content-type')?.includes('x-www-form-urlencoded')) {
    return sendQueryError(res, req.requestId, error, 'https://tap.local/doc/');
  }
  sendRestXmlError(res, req.requestId, error, req.method);
}
