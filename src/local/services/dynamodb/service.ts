/**
 * DynamoDB: dynalite (a DynamoDB implementation on LevelDB) behind the shared endpoint, persisting to
 * `<data-dir>/dynamodb`. Requests are handed to dynalite's own request handler in-process: no second
 * port. Leaves out what dynalite leaves out: streams, transactions' full isolation, PartiQL,
 * backups and PITR restores (the PITR setting is accepted and returned), global tables.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AwsError } from '../../errors.js';
import { sendJsonError } from '../../protocols/json.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { mkdirPrivateSync, removeIfExists, serviceDir } from '../../storage.js';
import { openDynalite, type OpenDynalite } from './dynalite.js';
import { checkNesting } from './nesting.js';

/** Socket files of open dynalite servers: removed on close, and on any exit of the process. */
const openSockets = new Set<string>();
let exitHook = false;

function privateSocket(): string {
  const name = `tap-dynalite-${process.pid}-${randomBytes(4).toString('hex')}`;
  const path = process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
  if (process.platform !== 'win32') openSockets.add(path);
  if (!exitHook) {
    exitHook = true;
    removeOrphanSockets();
    // 'exit' also runs after an uncaught exception and process.exit(); signals go through stop().
    process.once('exit', () => {
      for (const socket of openSockets) rmSync(socket, { force: true });
    });
  }
  return path;
}

/** Sockets left by a process that was killed (kill -9 runs no exit hook): removed by the next one. */
function removeOrphanSockets(): void {
  if (process.platform === 'win32') return;
  try {
    for (const file of readdirSync(tmpdir())) {
      const pid = /^tap-dynalite-(\d+)-[0-9a-f]+\.sock$/.exec(file)?.[1];
      if (pid && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(join(tmpdir(), file), { force: true });
    }
  } catch {
    // best effort: a temp dir we cannot list holds nothing of ours to clean
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The request as dynalite reads it, from a body already received whole: dynalite rethrows a client's
 * `aborted` out of its stream handler, which would end the process. Without `Origin`, so dynalite
 * does not add its own `Access-Control-Allow-Origin: *` (the front door sets CORS headers).
 */
function replay(req: ServiceRequest, body: Buffer): IncomingMessage {
  const { origin: _origin, ...headers } = req.headers;
  return Object.assign(Readable.from(body.length ? [body] : []), { headers, method: req.method, url: req.raw.url }) as unknown as IncomingMessage;
}

export function dynamodbService(ctx: LocalContext): LocalService {
  const path = serviceDir(ctx.dataDir, 'dynamodb');
  let opened: OpenDynalite | undefined;
  let handler: ((req: unknown, res: unknown) => void) | undefined;

  const open = async () => {
    // LevelDB creates its files with the process's umask: the folder being the user's own (0700) is what protects them.
    mkdirPrivateSync(path);
    // Table create/delete/update complete at once (AWS takes seconds; nothing here needs that wait).
    const candidate = openDynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const created = candidate.server;
    // dynalite closes its LevelDB only when its HTTP server closes, so it must listen somewhere:
    // a private socket, not a TCP port. Requests reach it in-process through its handler.
    const socket = privateSocket();
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(socket, () => resolve());
    });
    created.once('close', () => openSockets.delete(socket));
    opened = candidate;
    handler = created.listeners('request')[0] as typeof handler;
  };
  const close = async () => {
    const current = opened;
    opened = undefined;
    handler = undefined;
    if (!current) return;
    await current.idle();
    await new Promise<void>((resolve) => current.server.close(() => resolve()));
  };

  return {
    name: 'dynamodb',
    targetPrefixes: ['DynamoDB_20120810'],
    start: open,
    async handle(req: ServiceRequest, res: ServerResponse) {
      const body = await req.body();
      checkNesting(body);
      if (!handler) await open();
      if (req.target === 'DeleteTable') reclaimAfter(opened!, body, res);
      handler!(replay(req, body), res);
    },
    sendError(req: ServiceRequest, res: ServerResponse, error: AwsError) {
      sendJsonError(res, req.requestId, error, { typePrefix: 'com.amazonaws.dynamodb.v20120810#' });
    },
    stop: close,
    async reset() {
      await close();
      await removeIfExists(path);
      await open();
    },
  };
}

/**
 * Once a DeleteTable succeeds, compacts the table's key ranges so its space comes back. Its answer is
 * noticed through `end`: CloudFormation's in-process calls pass a bare response without events.
 */
function reclaimAfter(store: OpenDynalite, body: Buffer, res: ServerResponse): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (res.statusCode === 200) {
      try {
        const name = (JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName;
        if (typeof name === 'string') void store.reclaim(name);
      } catch {
        // dynalite answered 200, so the body parsed; nothing to reclaim otherwise
      }
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.end;
}
