/**
 * DynamoDB: dynalite (a DynamoDB implementation on LevelDB) behind the shared endpoint, persisting to
 * `<data-dir>/dynamodb`. Requests are handed to dynalite's own request handler in-process: no second
 * port. Leaves out what dynalite leaves out: streams, transactions' full isolation, PartiQL,
 * backups and PITR restores (the PITR setting is accepted and returned), global tables.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsError } from '../../errors.js';
import { sendJsonError } from '../../protocols/json.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import { openDynalite, type OpenDynalite } from './dynalite.js';

function privateSocket(): string {
  const name = `tap-dynalite-${process.pid}-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
}

export function dynamodbService(ctx: LocalContext): LocalService {
  const path = serviceDir(ctx.dataDir, 'dynamodb');
  let opened: OpenDynalite | undefined;
  let handler: ((req: unknown, res: unknown) => void) | undefined;

  const open = async () => {
    // Table create/delete/update complete at once (AWS takes seconds; nothing here needs that wait).
    const candidate = openDynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const created = candidate.server;
    // dynalite closes its LevelDB only when its HTTP server closes, so it must listen somewhere:
    // a private socket, not a TCP port. Requests reach it in-process through its handler.
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(privateSocket(), () => resolve());
    });
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
      if (!handler) await open();
      const store = opened!;
      // Read alongside dynalite (both listen to the same body): the name of a table being deleted.
      // Its answer is noticed through `end`: CloudFormation's in-process calls pass a bare response.
      if (req.target === 'DeleteTable') {
        const body = req.body();
        const end = res.end;
        res.end = function (this: ServerResponse, ...args: unknown[]) {
          if (res.statusCode === 200) {
            void body.then((b) => {
              const name = (JSON.parse(b.toString('utf8')) as { TableName?: unknown }).TableName;
              if (typeof name === 'string') void store.reclaim(name);
            }).catch(() => {});
          }
          return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
        } as typeof res.end;
      }
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
