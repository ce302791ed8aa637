/**
 * Lambda (restJson1, `/2015-03-31/functions/…`): functions from .zip code (inline or from S3), run as
 * local Node.js processes (runner.ts, worker.ts, bootstrap.ts) on the Node.js major their runtime names
 * (installed into a runtime cache, src/local/runtimes) with AWS's environment, context, handler
 * resolution, error shapes, timeouts and logs; Event invocations with retries and destinations
 * (async.ts); SQS event source mappings with pollers (mappings.ts, poller.ts); resource policies,
 * async invoke configs, reserved concurrency and tags (settings.ts). State lives under
 * `<data-dir>/lambda` and survives restarts, pending Event invocations included.
 *
 * Leaves out: versions and aliases (PublishVersion, CreateAlias, … answer NotImplemented; only
 * `$LATEST` exists and Publish: true is rejected), layers (rejected as missing), container images,
 * runtimes other than Node.js (created and stored; Invoke answers InvalidRuntimeException), function
 * URLs, code signing, provisioned concurrency, SnapStart, response streaming, event sources other than
 * SQS (and FilterCriteria), SNS/EventBridge/S3 destinations (records are dropped with a warning), DLQ
 * message attributes (RequestID, ErrorCode, ErrorMessage: SqsApi.sendByArn takes a body only),
 * `callbackWaitsForEmptyEventLoop` (a callback answers at once), the AWS SDK inside the runtime (bundle
 * it, as tap does), INIT_START lines, and enforcement of policies or IAM roles.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { AwsError, notImplemented } from '../../errors.js';
import { sendRestJson, sendRestJsonError } from '../../protocols/rest.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import type { LambdaApi } from '../contracts.js';
import { AsyncInvoker } from './async.js';
import { CodeStore } from './code.js';
import { invalidParameter } from './errors.js';
import { MappingStore } from './mappings.js';
import { ROUTES, type Deps } from './routes.js';
import { Runner } from './runner.js';
import { FunctionStore } from './store.js';

/**
 * The service, plus its stores for in-process callers (the CloudFormation engine): they validate as
 * the API does. Policies, invoke configs and concurrency are in settings.ts, over `functions`.
 */
export interface LocalLambda extends LambdaApi {
  readonly functions: FunctionStore;
  readonly mappings: MappingStore;
}

export function lambdaService(ctx: LocalContext): LocalLambda {
  const dir = serviceDir(ctx.dataDir, 'lambda');
  const code = new CodeStore(dir, ctx);
  const store = new FunctionStore(dir, ctx.accountId, code);
  const runner = new Runner(ctx, code);
  const asyncInvoker = new AsyncInvoker(ctx, store, runner);
  const mappings = new MappingStore(ctx, store, (fn, payload) => runner.invoke(fn, payload), 3);
  store.onChange = (fn) => {
    runner.recycle(fn);
    runner.prepare(fn);
  };
  const deps: Deps = { store, mappings, runner, asyncInvoker, accountId: ctx.accountId, endpoint: () => ctx.endpoint() };

  const start = async () => {
    runner.start();
    await store.load();
    await asyncInvoker.start();
    await mappings.start();
  };
  const stop = async () => {
    asyncInvoker.stop();
    await mappings.stop();
    await runner.stop();
  };

  return {
    name: 'lambda',
    functions: store,
    mappings,
    start,
    stop,
    async handle(req: ServiceRequest, res: ServerResponse) {
      const path = req.url.pathname;
      const download = /^\/2015-03-31\/tap-code\/([0-9a-f]{64})\.zip$/.exec(path);
      if (req.method === 'GET' && download) return sendZip(res, join(dir, 'zips', `${download[1]}.zip`));
      for (const [method, pattern, operation, handler] of ROUTES) {
        const m = pattern.exec(path);
        if (!m || method !== req.method) continue;
        ctx.faults.maybeFail('lambda', operation);
        const p = m.slice(1).map((s) => decodeURIComponent(s));
        const answer = await handler({
          req,
          res,
          p,
          q: req.url.searchParams,
          d: deps,
          fn: () => store.get(req.region, p[0]!, req.url.searchParams.get('Qualifier') ?? undefined),
          body: async () => {
            try {
              return await req.json();
            } catch {
              throw invalidParameter('Could not parse request body into json.');
            }
          },
        });
        if (answer) sendRestJson(res, req.requestId, answer.status, answer.body);
        return;
      }
      throw notImplemented('lambda', `${req.method} ${path}`);
    },
    sendError(req, res, error) {
      sendRestJsonError(res, req.requestId, error);
    },
    async invokeAsyncByArn(functionArn: string, payload: string) {
      const region = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):/.exec(functionArn)?.[1] ?? 'us-east-1';
      const fn = store.get(region, functionArn);
      await asyncInvoker.enqueue(fn, payload, randomUUID());
    },
    async invokeByArn(functionArn: string, payload: string) {
      const region = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):/.exec(functionArn)?.[1] ?? 'us-east-1';
      const result = await runner.invoke(store.get(region, functionArn), payload);
      return { payload: result.payload, ...(result.functionError && { functionError: result.functionError }) };
    },
    async reset() {
      await stop();
      await removeIfExists(dir);
      await start();
    },
  };
}

function sendZip(res: ServerResponse, path: string): void {
  if (!existsSync(path)) throw new AwsError('ResourceNotFoundException', 'The code archive does not exist.', 404);
  res.writeHead(200, { 'content-type': 'application/zip' });
  createReadStream(path).pipe(res);
}
