/** REST APIs as the local API Gateway keeps them: one record per API, with its resources, deployments and stages. */

export interface Integration {
  type: string;
  httpMethod?: string;
  uri?: string;
  passthroughBehavior?: string;
  timeoutInMillis: number;
  cacheNamespace: string;
  cacheKeyParameters: string[];
}

export interface Method {
  httpMethod: string;
  authorizationType: string;
  apiKeyRequired: boolean;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  requestValidatorId?: string;
  operationName?: string;
  methodIntegration?: Integration;
}

export interface Resource {
  id: string;
  parentId?: string;
  pathPart?: string;
  path: string;
  resourceMethods?: Record<string, Method>;
}

export interface Deployment {
  id: string;
  description?: string;
  createdDate: number;
  /** The resources and methods as they were when deployed: stages serve this, not the live API. */
  resources: Record<string, Resource>;
}

export interface AccessLogSettings {
  destinationArn: string;
  format: string;
}

export interface Stage {
  stageName: string;
  deploymentId: string;
  description?: string;
  variables?: Record<string, string>;
  methodSettings: Record<string, Record<string, unknown>>;
  accessLogSettings?: AccessLogSettings;
  tracingEnabled: boolean;
  createdDate: number;
  lastUpdatedDate: number;
  tags?: Record<string, string>;
}

export interface RestApi {
  id: string;
  region: string;
  name: string;
  description?: string;
  createdDate: number;
  apiKeySource: string;
  endpointConfiguration: { types: string[] };
  disableExecuteApiEndpoint: boolean;
  policy?: string;
  tags?: Record<string, string>;
  rootResourceId: string;
  resources: Record<string, Resource>;
  deployments: Record<string, Deployment>;
  stages: Record<string, Stage>;
  models?: Record<string, Model>;
  validators?: Record<string, RequestValidator>;
  /** Customized gateway responses by response type (BAD_REQUEST_BODY, DEFAULT_4XX, …). */
  gatewayResponses?: Record<string, GatewayResponse>;
}

export interface Model {
  id: string;
  name: string;
  contentType: string;
  /** A JSON Schema draft 4 document, as a string. */
  schema?: string;
}

export interface RequestValidator {
  id: string;
  name?: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface GatewayResponse {
  responseType: string;
  statusCode?: string;
  responseTemplates?: Record<string, string>;
  responseParameters?: Record<string, string>;
}

/** What GetRestApi(s) answer: the record without its children. */
export function restApiShape(api: RestApi): Record<string, unknown> {
  const { resources: _r, deployments: _d, stages: _s, region: _region, models: _m, validators: _v, gatewayResponses: _g, ...shape } = api;
  return shape;
}

export function deploymentShape(d: Deployment): Record<string, unknown> {
  return { id: d.id, description: d.description, createdDate: d.createdDate };
}

/** API Gateway ids: 10 lower-case letters and digits. */
export function newId(length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length));
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}
