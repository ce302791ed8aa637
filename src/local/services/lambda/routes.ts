/**
 * Lambda's restJson1 routes (paths and status codes from the API reference), each to a handler that
 * returns the JSON answer. Invoke writes its own response (raw payload, function error headers).
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import type { ServiceRequest } from '../../request.js';
import { invalidParameter, validation } from './errors.js';
import type { Mapping, MappingStore } from './mappings.js';
import { toConfiguration, type FunctionRecord } from './model.js';
import type { Runner } from './runner.js';
import * as settings from './settings.js';
import { checkTags, type FunctionStore } from './store.js';
import type { AsyncInvoker } from './async.js';

export interface Answer {
  status: number;
  body?: unknown;
}

export interface Deps {
  readonly store: FunctionStore;
  readonly mappings: MappingStore;
  readonly runner: Runner;
  readonly asyncInvoker: AsyncInvoker;
  readonly accountId: string;
  endpoint(): string;
}

type Input = Record<string, any>;
type Handler = (call: { req: ServiceRequest; res: ServerResponse; p: string[]; q: URLSearchParams; body: () => Promise<Input>; d: Deps; fn: () => FunctionRecord }) => Promise<Answer | void> | Answer | void;

const ok = (body?: unknown, status = 200): Answer => ({ status, body });
const MAX_SYNC_PAYLOAD = 6_291_456;
const MAX_ASYNC_PAYLOAD = 1_048_576;

export const ROUTES: ReadonlyArray<[string, RegExp, string, Handler]> = [
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction', async ({ req, body, d }) => {
    const fn = await d.store.create(req.region, await body());
    return ok(toConfiguration(fn, d.accountId, { State: 'Pending' }), 201);
  }],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions', ({ req, q, d }) => {
    const all = d.store.list(req.region).map((f) => toConfiguration(f, d.accountId));
    const { items, next } = page(all, q.get('Marker'), q.get('MaxItems'));
    return ok({ Functions: items, ...(next ? { NextMarker: next } : {}) });
  }],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'GetFunction', ({ fn, d }) => {
    const f = fn();
    const loc = `${d.endpoint()}/2015-03-31/tap-code/${f.code.hex}.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`tap/${new Date().toISOString().slice(0, 10).replace(/-/g, '')}/${f.region}/lambda/aws4_request`)}`;
    return ok({
      Configuration: toConfiguration(f, d.accountId),
      Code: { RepositoryType: 'S3', Location: loc },
      ...(Object.keys(f.tags).length ? { Tags: f.tags } : {}),
      ...(f.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: f.reservedConcurrency } } : {}),
    });
  }],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'GetFunctionConfiguration', ({ fn, d }) => ok(toConfiguration(fn(), d.accountId))],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code\/?$/, 'UpdateFunctionCode', async ({ fn, body, d }) => {
    const f = fn();
    await d.store.updateCode(f, await body());
    return ok(toConfiguration(f, d.accountId, { LastUpdateStatus: 'InProgress' }));
  }],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'UpdateFunctionConfiguration', async ({ fn, body, d }) => {
    const f = fn();
    await d.store.updateConfig(f, await body());
    return ok(toConfiguration(f, d.accountId, { LastUpdateStatus: 'InProgress' }));
  }],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'DeleteFunction', async ({ fn, d }) => {
    await d.store.delete(fn());
    return ok(undefined, 204);
  }],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/versions\/?$/, 'ListVersionsByFunction', ({ fn, d }) => ok({ Versions: [toConfiguration(fn(), d.accountId)] })],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, 'Invoke', (call) => invoke(call)],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'AddPermission', async ({ fn, body, d }) => {
    const statement = await settings.addPermission(d.store, fn(), await body());
    return ok({ Statement: JSON.stringify(statement) }, 201);
  }],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/policy\/([^/]+)\/?$/, 'RemovePermission', async ({ fn, p, q, d }) => {
    await settings.removePermission(d.store, fn(), p[1]!, q.get('RevisionId'));
    return ok(undefined, 204);
  }],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'GetPolicy', ({ fn }) => ok(settings.getPolicy(fn()))],
  ['PUT', /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/, 'PutFunctionEventInvokeConfig', async ({ fn, body, d }) => {
    await settings.putInvokeConfig(d.store, fn(), await body(), true);
    return ok(settings.invokeConfigShape(d.store, fn()));
  }],
  ['POST', /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/, 'UpdateFunctionEventInvokeConfig', async ({ fn, body, d }) => {
    await settings.putInvokeConfig(d.store, fn(), await body(), false);
    return ok(settings.invokeConfigShape(d.store, fn()));
  }],
  ['GET', /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/, 'GetFunctionEventInvokeConfig', ({ fn, d }) => ok(settings.invokeConfigShape(d.store, fn()))],
  ['GET', /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/list\/?$/, 'ListFunctionEventInvokeConfigs', ({ fn, d }) => {
    const f = fn();
    return ok({ FunctionEventInvokeConfigs: f.eventInvokeConfig ? [settings.invokeConfigShape(d.store, f)] : [] });
  }],
  ['DELETE', /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/, 'DeleteFunctionEventInvokeConfig', async ({ fn, d }) => {
    const f = fn();
    settings.invokeConfigShape(d.store, f); // ResourceNotFoundException when there is none
    delete f.eventInvokeConfig;
    await d.store.save(f);
    return ok(undefined, 204);
  }],
  ['PUT', /^\/2017-10-31\/functions\/([^/]+)\/concurrency\/?$/, 'PutFunctionConcurrency', async ({ fn, body, d }) =>
    ok({ ReservedConcurrentExecutions: await settings.putConcurrency(d.store, fn(), (await body()).ReservedConcurrentExecutions) })],
  ['GET', /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/, 'GetFunctionConcurrency', ({ fn }) => {
    const f = fn();
    return ok(f.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: f.reservedConcurrency } : {});
  }],
  ['DELETE', /^\/2017-10-31\/functions\/([^/]+)\/concurrency\/?$/, 'DeleteFunctionConcurrency', async ({ fn, d }) => {
    const f = fn();
    delete f.reservedConcurrency;
    await d.store.save(f);
    return ok(undefined, 204);
  }],
  ['POST', /^\/2017-03-31\/tags\/(.+)$/, 'TagResource', async ({ req, p, body, d }) => {
    await d.store.tag(d.store.get(req.region, p[0]!), checkTags((await body()).Tags));
    return ok(undefined, 204);
  }],
  ['GET', /^\/2017-03-31\/tags\/(.+)$/, 'ListTags', ({ req, p, d }) => ok({ Tags: d.store.get(req.region, p[0]!).tags })],
  ['DELETE', /^\/2017-03-31\/tags\/(.+)$/, 'UntagResource', async ({ req, p, q, d }) => {
    await d.store.untag(d.store.get(req.region, p[0]!), q.getAll('tagKeys'));
    return ok(undefined, 204);
  }],
  ['GET', /^\/2016-08-19\/account-settings\/?$/, 'GetAccountSettings', ({ req, d }) => {
    const fns = d.store.list(req.region);
    const reserved = fns.reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0);
    return ok({
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: 262_144_000,
        CodeSizeZipped: 52_428_800,
        ConcurrentExecutions: settings.ACCOUNT_CONCURRENCY,
        UnreservedConcurrentExecutions: settings.ACCOUNT_CONCURRENCY - reserved,
      },
      AccountUsage: { TotalCodeSize: fns.reduce((n, f) => n + f.code.size, 0), FunctionCount: fns.length },
    });
  }],
  ['POST', /^\/2015-03-31\/event-source-mappings\/?$/, 'CreateEventSourceMapping', async ({ req, body, d }) =>
    ok(d.mappings.shape(await d.mappings.create(req.region, await body()), 'Creating'), 202)],
  ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings', ({ req, q, d }) => {
    const all = d.mappings.list(req.region, { EventSourceArn: q.get('EventSourceArn') ?? undefined, FunctionName: q.get('FunctionName') ?? undefined });
    const { items, next } = page(all, q.get('Marker'), q.get('MaxItems'));
    return ok({ EventSourceMappings: items.map((m: Mapping) => d.mappings.shape(m)), ...(next ? { NextMarker: next } : {}) });
  }],
  ['GET', /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/, 'GetEventSourceMapping', ({ p, d }) => ok(d.mappings.shape(d.mappings.get(p[0]!)))],
  ['PUT', /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/, 'UpdateEventSourceMapping', async ({ p, body, d }) => {
    const input = await body();
    const before = d.mappings.get(p[0]!).Enabled;
    const m = await d.mappings.update(p[0]!, input);
    return ok(d.mappings.shape(m, m.Enabled === before ? 'Updating' : m.Enabled ? 'Enabling' : 'Disabling'), 202);
  }],
  ['DELETE', /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/, 'DeleteEventSourceMapping', async ({ p, d }) =>
    ok(d.mappings.shape(await d.mappings.delete(p[0]!), 'Deleting'), 202)],
];

function page<T>(all: T[], marker: string | null, maxItems: string | null): { items: T[]; next: string | undefined } {
  const max = maxItems === null ? 50 : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) throw validation(maxItems, 'maxItems', 'Member must have value between 1 and 10000');
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid Marker.');
  const items = all.slice(start, start + max);
  return { items, next: start + max < all.length ? Buffer.from(String(start + max)).toString('base64url') : undefined };
}

async function invoke({ req, res, fn, q, d }: Parameters<Handler>[0]): Promise<void> {
  const f = fn();
  if (q.get('Qualifier') && q.get('Qualifier') !== '$LATEST') d.store.get(req.region, f.config.FunctionName, q.get('Qualifier')!);
  const type = req.header('x-amz-invocation-type') ?? 'RequestResponse';
  if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
    throw validation(type, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
  }
  const payload = (await req.body()).toString('utf8');
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (Buffer.byteLength(payload) > limit) {
    throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
  }
  if (payload.trim() !== '') {
    try {
      JSON.parse(payload);
    } catch (error) {
      throw new AwsError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
    }
  }
  const send = (status: number, body = '', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': req.requestId, ...headers });
    res.end(body);
  };
  if (type === 'DryRun') return send(204);
  if (type === 'Event') {
    await d.asyncInvoker.enqueue(f, payload, req.requestId);
    return send(202);
  }
  const clientContext = req.header('x-amz-client-context');
  const result = await d.runner.invoke(f, payload, { requestId: req.requestId, ...(clientContext ? { clientContext } : {}) });
  send(200, result.payload, {
    'x-amz-executed-version': '$LATEST',
    ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
    ...(req.header('x-amz-log-type') === 'Tail' ? { 'x-amz-log-result': result.logTail } : {}),
  });
}
