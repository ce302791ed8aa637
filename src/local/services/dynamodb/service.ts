/**
 * DynamoDB: dynalite (a DynamoDB implementation on LevelDB) behind the shared endpoint, persisting to
 * `<data-dir>/dynamodb`. Requests are handed to dynalite's own request handler in-process: no second
 * port. Leaves out what dynalite leaves out: streams, transactions' full isolation, PartiQL,
 * backups and PITR restores (the PITR setting is accepted and returned), global tables.
 */
import type { Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsError } from '../../errors.js';
import { sendJsonError } from '../../protocols/json.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { mkdirPrivateSync, removeIfExists, serviceDir } from '../../storage.js';

type Dynalite = (options: Record<string, unknown>) => Server;
const require = createRequire(import.meta.url);

function privateSocket(): string {
  const name = `tap-dynalite-${process.pid}-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
}

export function dynamodbService(ctx: LocalContext): LocalService {
  const path = serviceDir(ctx.dataDir, 'dynamodb');
  let server: Server | undefined;
  let handler: ((req: unknown, res: unknown) => void) | undefined;

  const open = async () => {
    const dynalite = require('dynalite') as Dynalite;
    // LevelDB creates its files with the process's umask: the folder being the user's own (0700) is what protects them.
    mkdirPrivateSync(path);
    // Table create/delete/update complete at once (AWS takes seconds; nothing here needs that wait).
    const created = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // dynalite closes its LevelDB only when its HTTP server closes, so it must listen somewhere:
    // a private socket, not a TCP port. Requests reach it in-process through its handler.
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(privateSocket(), () => resolve());
    });
    server = created;
    handler = created.listeners('request')[0] as typeof handler;
  };
  const close = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = undefined;
      handler = undefined;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  return {
    name: 'dynamodb',
    targetPrefixes: ['DynamoDB_20120810'],
    start: open,
    async handle(req: ServiceRequest, res: ServerResponse) {
      if (!handler) await open();
      handler!(req.raw, res);
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
