/**
 * DynamoDB: dynalite (a DynamoDB implementation on LevelDB) behind the shared endpoint, persisting to
 * `<data-dir>/dynamodb`. Requests are handed to dynalite's own request handler in-process: no second
 * port. Leaves out what dynalite leaves out: streams, transactions' full isolation, PartiQL,
 * backups and PITR restores (the PITR setting is accepted and returned), global tables.
 */
import type { Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AwsError } from '../../errors.js';
import { sendJsonError } from '../../protocols/json.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';

type Dynalite = (options: Record<string, unknown>) => Server;
const require = createRequire(import.meta.url);

export function dynamodbService(ctx: LocalContext): LocalService {
  const path = serviceDir(ctx.dataDir, 'dynamodb');
  let server: Server | undefined;
  let handler: ((req: unknown, res: unknown) => void) | undefined;

  const open = () => {
    const dynalite = require('dynalite') as Dynalite;
    // Table create/delete/update complete at once (AWS takes seconds; nothing here needs that wait).
    server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    handler = server.listeners('request')[0] as typeof handler;
  };
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      // dynalite's close() also closes its LevelDB; the server itself never listened.
      server.close(() => resolve());
      server = undefined;
    });

  return {
    name: 'dynamodb',
    targetPrefixes: ['DynamoDB_20120810'],
    async start() {
      open();
    },
    async handle(req: ServiceRequest, res: ServerResponse) {
      if (!handler) open();
      handler!(req.raw, res);
    },
    sendError(req: ServiceRequest, res: ServerResponse, error: AwsError) {
      sendJsonError(res, req.requestId, error, { typePrefix: 'com.amazonaws.dynamodb.v20120810#' });
    },
    stop: close,
    async reset() {
      await close();
      await removeIfExists(path);
      open();
    },
  };
}
