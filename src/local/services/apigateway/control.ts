/**
 * The control plane over restJson (`/restapis/…`), as the SDK's APIGatewayClient and `aws apigateway`
 * call it. Lists answer `{ item: [...] }` (API Gateway's HAL-less JSON shape).
 */
import { AwsError, notImplemented } from '../../errors.js';
import type { ServiceRequest } from '../../request.js';
import { createModel, createValidator, deleteGatewayResponse, deleteModel, deleteValidator, putGatewayResponse } from './extras.js';
import { deploymentShape, restApiShape, type Integration, type Method, type Stage } from './model.js';
import { badRequest, methodOf, resourceOf, type ApiStore } from './store.js';

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

type Call = { req: ServiceRequest; p: string[]; body: () => Promise<Record<string, any>>; store: ApiStore };
type Route = readonly [method: string, pattern: RegExp, handler: (call: Call) => Promise<Answer>];

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const API = '/restapis/([^/]+)';
const RESOURCE = `${API}/resources/([^/]+)`;
const METHOD = `${RESOURCE}/methods/([^/]+)`;
const re = (path: string) => new RegExp(`^${path}/?$`);

const ROUTES: readonly Route[] = [
  ['GET', re('/restapis'), async ({ req, store }) => ok({ item: (await store.list(req.region)).map(restApiShape) })],
  ['POST', re('/restapis'), async ({ req, body, store }) => {
    const b = await body();
    const api = await store.create(req.region, { name: b.name, description: b.description, endpointTypes: b.endpointConfiguration?.types, tags: b.tags, policy: b.policy, disableExecuteApiEndpoint: b.disableExecuteApiEndpoint });
    return ok(restApiShape(api), 201);
  }],
  ['GET', re(API), async ({ p, store }) => ok(restApiShape(await store.get(p[0]!)))],
  ['DELETE', re(API), async ({ p, store }) => (await store.delete(p[0]!), ok(undefined, 202))],
  ['GET', re(`${API}/resources`), async ({ p, store }) => ok({ item: Object.values((await store.get(p[0]!)).resources).sort((a, b) => a.path.localeCompare(b.path)) })],
  ['GET', re(RESOURCE), async ({ p, store }) => ok(resourceOf(await store.get(p[0]!), p[1]!))],
  ['POST', re(RESOURCE), async ({ p, body, store }) => ok(await store.createResource(p[0]!, p[1]!, (await body()).pathPart), 201)],
  ['DELETE', re(RESOURCE), async ({ p, store }) => (await store.deleteResource(p[0]!, p[1]!), ok(undefined, 202))],
  ['PUT', re(METHOD), async ({ p, body, store }) => ok(await store.putMethod(p[0]!, p[1]!, p[2]!, (await body()) as Partial<Method>), 201)],
  ['GET', re(METHOD), async ({ p, store }) => ok(methodOf(resourceOf(await store.get(p[0]!), p[1]!), p[2]!))],
  ['DELETE', re(METHOD), async ({ p, store }) => (await store.deleteMethod(p[0]!, p[1]!, p[2]!), ok(undefined, 204))],
  ['PUT', re(`${METHOD}/integration`), async ({ p, body, store }) => ok(await store.putIntegration(p[0]!, p[1]!, p[2]!, (await body()) as Partial<Integration>), 201)],
  ['GET', re(`${METHOD}/integration`), async ({ p, store }) => {
    const integration = methodOf(resourceOf(await store.get(p[0]!), p[1]!), p[2]!).methodIntegration;
    if (!integration) throw new AwsError('NotFoundException', 'No integration defined for method', 404);
    return ok(integration);
  }],
  ['GET', re(`${API}/deployments`), async ({ p, store }) => ok({ item: Object.values((await store.get(p[0]!)).deployments).map(deploymentShape) })],
  ['POST', re(`${API}/deployments`), async ({ p, body, store }) => {
    const b = await body();
    const deployment = await store.createDeployment(p[0]!, b.description);
    if (b.stageName) await putStage(store, p[0]!, { stageName: b.stageName, deploymentId: deployment.id, description: b.stageDescription, variables: b.variables }, 'upsert');
    return ok(deploymentShape(deployment), 201);
  }],
  ['DELETE', re(`${API}/deployments/([^/]+)`), async ({ p, store }) => (await store.deleteDeployment(p[0]!, p[1]!), ok(undefined, 202))],
  ['GET', re(`${API}/stages`), async ({ p, store }) => ok({ item: Object.values((await store.get(p[0]!)).stages) })],
  ['POST', re(`${API}/stages`), async ({ p, body, store }) => ok(await putStage(store, p[0]!, (await body()) as Stage, 'create'), 201)],
  ['GET', re(`${API}/stages/([^/]+)`), async ({ p, store }) => {
    const stage = (await store.get(p[0]!)).stages[p[1]!];
    if (!stage) throw new AwsError('NotFoundException', 'Invalid Stage identifier specified', 404);
    return ok(stage);
  }],
  ['DELETE', re(`${API}/stages/([^/]+)`), async ({ p, store }) => (await store.deleteStage(p[0]!, p[1]!), ok(undefined, 202))],
  // Request validators, models and gateway responses: what a method's request validation uses.
  ['POST', re(`${API}/requestvalidators`), async ({ p, body, store }) => {
    const b = await body();
    return ok(await createValidator(store, p[0]!, { name: typeof b.name === 'string' ? b.name : undefined, validateRequestBody: b.validateRequestBody === true, validateRequestParameters: b.validateRequestParameters === true }), 201);
  }],
  ['GET', re(`${API}/requestvalidators`), async ({ p, store }) => ok({ item: Object.values((await store.get(p[0]!)).validators ?? {}) })],
  ['GET', re(`${API}/requestvalidators/([^/]+)`), async ({ p, store }) => {
    const validator = (await store.get(p[0]!)).validators?.[p[1]!];
    if (!validator) throw new AwsError('NotFoundException', 'Invalid Request Validator identifier specified', 404);
    return ok(validator);
  }],
  ['DELETE', re(`${API}/requestvalidators/([^/]+)`), async ({ p, store }) => (await deleteValidator(store, p[0]!, p[1]!), ok(undefined, 202))],
  ['POST', re(`${API}/models`), async ({ p, body, store }) => ok(await createModel(store, p[0]!, await body()), 201)],
  ['GET', re(`${API}/models`), async ({ p, store }) => ok({ item: Object.values((await store.get(p[0]!)).models ?? {}) })],
  ['DELETE', re(`${API}/models/([^/]+)`), async ({ p, store }) => (await deleteModel(store, p[0]!, p[1]!), ok(undefined, 202))],
  ['PUT', re(`${API}/gatewayresponses/([^/]+)`), async ({ p, body, store }) => {
    const b = await body();
    const response = await putGatewayResponse(store, p[0]!, { responseType: p[1]!, ...(b.statusCode !== undefined && { statusCode: String(b.statusCode) }), ...(b.responseParameters && { responseParameters: b.responseParameters }), ...(b.responseTemplates && { responseTemplates: b.responseTemplates }) });
    return ok({ ...response, defaultResponse: false }, 201);
  }],
  ['DELETE', re(`${API}/gatewayresponses/([^/]+)`), async ({ p, store }) => (await deleteGatewayResponse(store, p[0]!, p[1]!), ok(undefined, 202))],
];

async function putStage(store: ApiStore, apiId: string, input: Partial<Stage>, mode: 'create' | 'upsert'): Promise<Stage> {
  if (typeof input.stageName !== 'string') throw badRequest('Stage name is required');
  const exists = (await store.get(apiId)).stages[input.stageName] !== undefined;
  return store.putStage(apiId, { ...input, stageName: input.stageName }, mode === 'create' || !exists);
}

export async function control(req: ServiceRequest, store: ApiStore): Promise<Answer> {
  const path = req.url.pathname;
  for (const [method, pattern, handler] of ROUTES) {
    const m = pattern.exec(path);
    if (!m || method !== req.method) continue;
    let p: string[];
    try {
      p = m.slice(1).map((s) => decodeURIComponent(s));
    } catch {
      throw badRequest('Invalid percent-encoding in the path.');
    }
    return handler({
      req,
      p,
      store,
      body: async () => {
        try {
          const value = await req.json();
          if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
          return value as Record<string, any>;
        } catch {
          throw new AwsError('SerializationException', 'Could not parse request body into json.', 400);
        }
      },
    });
  }
  throw notImplemented('apigateway', `${req.method} ${path}`);
}
