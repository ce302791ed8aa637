/**
 * The control plane's operations over the stored APIs, shared by the REST control API (control.ts)
 * and the CloudFormation providers, so both validate alike. Errors carry API Gateway's codes.
 */
import { AwsError } from '../../errors.js';
import { RecordStore } from '../records.js';
import { newId, type Deployment, type Integration, type Method, type Resource, type RestApi, type Stage } from './model.js';

const now = () => Math.floor(Date.now() / 1000);
export const notFound = (message: string) => new AwsError('NotFoundException', message, 404);
export const badRequest = (message: string) => new AwsError('BadRequestException', message, 400);
const conflict = (message: string) => new AwsError('ConflictException', message, 409);

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'];
const INTEGRATION_TYPES = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'];
/** A path part: letters, digits and `-._~:@!$&'()*+,;=` or one `{name}` / greedy `{name+}` (API Gateway's rule). */
const PATH_PART = /^(?:[A-Za-z0-9\-._~:@!$&'()*+,;=]+|\{[A-Za-z0-9._-]+\+?\})$/;

export class ApiStore {
  private readonly records: RecordStore<RestApi>;
  /** Writes to one API run one at a time (CloudFormation creates resources of one API in parallel). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(dir: string, private readonly accountId: string) {
    this.records = new RecordStore(dir);
  }

  async get(apiId: string): Promise<RestApi> {
    const api = /^[a-z0-9]{1,32}$/.test(apiId) ? await this.records.get(apiId) : undefined;
    if (!api) throw notFound(`Invalid API identifier specified ${this.accountId}:${apiId}`);
    return api;
  }

  /** The API, or undefined (execute-api answers its own way). */
  find(apiId: string): Promise<RestApi | undefined> {
    return /^[a-z0-9]{1,32}$/.test(apiId) ? this.records.get(apiId) : Promise.resolve(undefined);
  }

  list(region: string): Promise<RestApi[]> {
    return this.records.list().then((apis) => apis.filter((a) => a.region === region).sort((a, b) => a.createdDate - b.createdDate));
  }

  async create(region: string, input: { name?: unknown; description?: unknown; endpointTypes?: unknown; tags?: Record<string, string>; policy?: string; disableExecuteApiEndpoint?: boolean }): Promise<RestApi> {
    if (typeof input.name !== 'string' || input.name.trim() === '') throw badRequest('Invalid REST API name specified: the name must be a non-empty string.');
    if (input.name.length > 1024) throw badRequest('The REST API name must be 1024 characters or fewer.');
    const types = Array.isArray(input.endpointTypes) && input.endpointTypes.length > 0 ? input.endpointTypes.map(String) : ['EDGE'];
    if (types.some((t) => !['EDGE', 'REGIONAL', 'PRIVATE'].includes(t))) throw badRequest(`Invalid endpoint type: ${types.join(', ')}. Use EDGE, REGIONAL or PRIVATE.`);
    const rootId = newId();
    const api: RestApi = {
      id: newId(),
      region,
      name: input.name,
      ...(typeof input.description === 'string' && { description: input.description }),
      createdDate: now(),
      apiKeySource: 'HEADER',
      endpointConfiguration: { types },
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint === true,
      ...(input.policy && { policy: input.policy }),
      ...(input.tags && { tags: input.tags }),
      rootResourceId: rootId,
      resources: { [rootId]: { id: rootId, path: '/' } },
      deployments: {},
      stages: {},
    };
    await this.records.put(api.id, api);
    return api;
  }

  async delete(apiId: string): Promise<void> {
    await this.get(apiId);
    await this.records.delete(apiId);
  }

  /** Reads, changes and writes one API, serialized per API. */
  update<T>(apiId: string, change: (api: RestApi) => T): Promise<T> {
    const run = (this.queues.get(apiId) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const api = await this.get(apiId);
      const result = change(api);
      await this.records.put(api.id, api);
      return result;
    });
    this.queues.set(apiId, run);
    void run.finally(() => this.queues.get(apiId) === run && this.queues.delete(apiId)).catch(() => undefined);
    return run;
  }

  createResource(apiId: string, parentId: string, pathPart: unknown): Promise<Resource> {
    return this.update(apiId, (api) => {
      const parent = resourceOf(api, parentId);
      if (typeof pathPart !== 'string' || !PATH_PART.test(pathPart)) {
        throw badRequest(`Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace; got ${JSON.stringify(pathPart)}.`);
      }
      const siblings = Object.values(api.resources).filter((r) => r.parentId === parentId);
      if (siblings.some((r) => r.pathPart === pathPart)) throw conflict(`Another resource with the same parent already has this name: ${pathPart}`);
      if (pathPart.startsWith('{') && siblings.some((r) => r.pathPart?.startsWith('{'))) {
        throw badRequest(`A sibling (${siblings.find((r) => r.pathPart?.startsWith('{'))!.pathPart}) of this resource already has a variable path part -- only one is allowed`);
      }
      if (parent.pathPart?.endsWith('+}')) throw badRequest('A greedy path variable ({name+}) must be the last part of a path.');
      const resource: Resource = { id: newId(), parentId, pathPart, path: `${parent.path === '/' ? '' : parent.path}/${pathPart}` };
      api.resources[resource.id] = resource;
      return resource;
    });
  }

  deleteResource(apiId: string, resourceId: string): Promise<void> {
    return this.update(apiId, (api) => {
      const resource = resourceOf(api, resourceId);
      if (resource.id === api.rootResourceId) throw badRequest('Cannot delete the root resource of an API.');
      const doomed = new Set([resource.id]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const r of Object.values(api.resources)) if (r.parentId && doomed.has(r.parentId) && !doomed.has(r.id)) grew = doomed.add(r.id) !== undefined;
      }
      for (const id of doomed) delete api.resources[id];
    });
  }

  putMethod(apiId: string, resourceId: string, httpMethod: string, input: Partial<Method>): Promise<Method> {
    return this.update(apiId, (api) => {
      const resource = resourceOf(api, resourceId);
      const verb = checkVerb(httpMethod);
      const authorizationType = input.authorizationType ?? 'NONE';
      if (!AUTHORIZATION_TYPES.includes(authorizationType)) throw badRequest(`Invalid authorization type specified. Valid values: ${AUTHORIZATION_TYPES.join(', ')}`);
      const method: Method = {
        httpMethod: verb,
        authorizationType,
        apiKeyRequired: input.apiKeyRequired === true,
        ...(input.requestParameters && { requestParameters: input.requestParameters }),
        ...(input.requestModels && { requestModels: input.requestModels }),
        ...(input.requestValidatorId && { requestValidatorId: input.requestValidatorId }),
        ...(input.operationName && { operationName: input.operationName }),
        ...(input.methodIntegration && { methodIntegration: checkIntegration(input.methodIntegration) }),
      };
      resource.resourceMethods = { ...resource.resourceMethods, [verb]: method };
      return method;
    });
  }

  deleteMethod(apiId: string, resourceId: string, httpMethod: string): Promise<void> {
    return this.update(apiId, (api) => {
      const resource = resourceOf(api, resourceId);
      methodOf(resource, httpMethod);
      delete resource.resourceMethods![httpMethod.toUpperCase()];
    });
  }

  putIntegration(apiId: string, resourceId: string, httpMethod: string, input: Partial<Integration>): Promise<Integration> {
    return this.update(apiId, (api) => {
      const method = methodOf(resourceOf(api, resourceId), httpMethod);
      method.methodIntegration = checkIntegration(input);
      return method.methodIntegration;
    });
  }

  createDeployment(apiId: string, description?: string): Promise<Deployment> {
    return this.update(apiId, (api) => {
      const resources = Object.values(api.resources);
      if (!resources.some((r) => Object.keys(r.resourceMethods ?? {}).length > 0)) throw badRequest('The REST API doesn\'t contain any methods');
      const missing = resources.flatMap((r) => Object.values(r.resourceMethods ?? {}).filter((m) => !m.methodIntegration).map((m) => `${m.httpMethod} ${r.path}`));
      if (missing.length > 0) throw badRequest(`No integration defined for method (${missing.join(', ')})`);
      const deployment: Deployment = { id: newId(), ...(description && { description }), createdDate: now(), resources: structuredClone(api.resources) };
      api.deployments[deployment.id] = deployment;
      return deployment;
    });
  }

  deleteDeployment(apiId: string, deploymentId: string): Promise<void> {
    return this.update(apiId, (api) => {
      if (!api.deployments[deploymentId]) throw notFound('Invalid Deployment identifier specified');
      const user = Object.values(api.stages).find((s) => s.deploymentId === deploymentId);
      if (user) throw badRequest(`Active stages pointing to this deployment must be moved or deleted (${user.stageName}).`);
      delete api.deployments[deploymentId];
    });
  }

  putStage(apiId: string, input: Partial<Stage> & { stageName: string }, create: boolean): Promise<Stage> {
    return this.update(apiId, (api) => {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(input.stageName ?? '')) throw badRequest('Stage name only allows a-zA-Z0-9_-');
      const existing = api.stages[input.stageName];
      if (create && existing) throw conflict('Stage already exists');
      if (!create && !existing) throw notFound('Invalid Stage identifier specified');
      const deploymentId = input.deploymentId ?? existing?.deploymentId;
      if (!deploymentId || !api.deployments[deploymentId]) throw badRequest('Invalid deployment identifier specified');
      const stage: Stage = {
        ...existing,
        ...input,
        deploymentId,
        methodSettings: input.methodSettings ?? existing?.methodSettings ?? {},
        tracingEnabled: input.tracingEnabled ?? existing?.tracingEnabled ?? false,
        createdDate: existing?.createdDate ?? now(),
        lastUpdatedDate: now(),
      };
      api.stages[stage.stageName] = stage;
      return stage;
    });
  }

  deleteStage(apiId: string, stageName: string): Promise<void> {
    return this.update(apiId, (api) => {
      if (!api.stages[stageName]) throw notFound('Invalid Stage identifier specified');
      delete api.stages[stageName];
    });
  }

  clear(): Promise<void> {
    return this.records.clear();
  }
}

export function resourceOf(api: RestApi, resourceId: string): Resource {
  const resource = api.resources[resourceId];
  if (!resource) throw notFound('Invalid Resource identifier specified');
  return resource;
}

export function methodOf(resource: Resource, httpMethod: string): Method {
  const method = resource.resourceMethods?.[httpMethod.toUpperCase()];
  if (!method) throw notFound('Invalid Method identifier specified');
  return method;
}

function checkVerb(httpMethod: string): string {
  const verb = httpMethod.toUpperCase();
  if (!HTTP_METHODS.includes(verb)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(',')}`);
  return verb;
}

function checkIntegration(input: Partial<Integration>): Integration {
  const type = input.type ?? '';
  if (!INTEGRATION_TYPES.includes(type)) throw badRequest(`Invalid integration type specified. Valid values: ${INTEGRATION_TYPES.join(', ')}`);
  if (type !== 'MOCK' && !input.uri) throw badRequest('Enumeration value for Integration uri must be non-empty');
  if (type === 'AWS_PROXY' && input.httpMethod !== 'POST') throw badRequest('Integrations of type \'AWS_PROXY\' currently only supports Lambda function and Firehose stream invocations with POST.');
  return {
    type,
    ...(input.httpMethod && { httpMethod: input.httpMethod.toUpperCase() }),
    ...(input.uri && { uri: input.uri }),
    passthroughBehavior: input.passthroughBehavior ?? 'WHEN_NO_MATCH',
    timeoutInMillis: input.timeoutInMillis ?? 29_000,
    cacheNamespace: input.cacheNamespace ?? newId(),
    cacheKeyParameters: input.cacheKeyParameters ?? [],
  };
}
