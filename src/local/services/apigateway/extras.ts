/**
 * Models, request validators and gateway responses: what an API declares about validating requests
 * and shaping its error answers. Stored per API (not per deployment: a stage uses the current ones).
 */
import ajvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import { newId, type GatewayResponse, type Model, type RequestValidator } from './model.js';
import { badRequest, notFound, type ApiStore } from './store.js';

const RESPONSE_TYPES = [
  'DEFAULT_4XX', 'DEFAULT_5XX', 'ACCESS_DENIED', 'API_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR',
  'BAD_REQUEST_PARAMETERS', 'BAD_REQUEST_BODY', 'EXPIRED_TOKEN', 'INTEGRATION_FAILURE', 'INTEGRATION_TIMEOUT', 'INVALID_API_KEY',
  'INVALID_SIGNATURE', 'MISSING_AUTHENTICATION_TOKEN', 'QUOTA_EXCEEDED', 'REQUEST_TOO_LARGE', 'RESOURCE_NOT_FOUND', 'THROTTLED',
  'UNAUTHORIZED', 'UNSUPPORTED_MEDIA_TYPE', 'WAF_FILTERED',
];

export function createModel(store: ApiStore, apiId: string, input: { name?: unknown; contentType?: unknown; schema?: unknown }): Promise<Model> {
  return store.update(apiId, (api) => {
    const name = typeof input.name === 'string' ? input.name : '';
    if (!/^[A-Za-z0-9]{1,255}$/.test(name)) throw badRequest('Model name must be alphanumeric.');
    if (api.models?.[name]) throw badRequest(`Model name already exists for this REST API: ${name}`);
    const schema = input.schema === undefined ? undefined : typeof input.schema === 'string' ? input.schema : JSON.stringify(input.schema);
    if (schema !== undefined) compileSchema(schema, (message) => badRequest(`Invalid model specified: Validation Result: warnings : [], errors : [${message}]`));
    const model: Model = { id: newId(), name, contentType: typeof input.contentType === 'string' ? input.contentType : 'application/json', ...(schema !== undefined && { schema }) };
    api.models = { ...api.models, [name]: model };
    return model;
  });
}

export function deleteModel(store: ApiStore, apiId: string, name: string): Promise<void> {
  return store.update(apiId, (api) => {
    if (!api.models?.[name]) throw notFound('Invalid model name specified');
    delete api.models[name];
  });
}

export function createValidator(store: ApiStore, apiId: string, input: Partial<RequestValidator>): Promise<RequestValidator> {
  return store.update(apiId, (api) => {
    const validator: RequestValidator = {
      id: newId(6),
      ...(input.name && { name: input.name }),
      validateRequestBody: input.validateRequestBody === true,
      validateRequestParameters: input.validateRequestParameters === true,
    };
    api.validators = { ...api.validators, [validator.id]: validator };
    return validator;
  });
}

export function deleteValidator(store: ApiStore, apiId: string, id: string): Promise<void> {
  return store.update(apiId, (api) => {
    if (!api.validators?.[id]) throw notFound('Invalid Request Validator identifier specified');
    delete api.validators[id];
  });
}

export function putGatewayResponse(store: ApiStore, apiId: string, response: GatewayResponse): Promise<GatewayResponse> {
  return store.update(apiId, (api) => {
    if (!RESPONSE_TYPES.includes(response.responseType)) throw badRequest(`Invalid response type: ${response.responseType}`);
    if (response.statusCode !== undefined && !/^[1-5]\d\d$/.test(response.statusCode)) throw badRequest('Invalid status code.');
    api.gatewayResponses = { ...api.gatewayResponses, [response.responseType]: response };
    return response;
  });
}

export function deleteGatewayResponse(store: ApiStore, apiId: string, responseType: string): Promise<void> {
  return store.update(apiId, (api) => {
    delete api.gatewayResponses?.[responseType];
  });
}

// A CommonJS module: under NodeNext its class is the default export's `default`.
type AjvClass = new (options: { allErrors?: boolean; strict?: boolean }) => { compile(schema: object): ValidateFunction };
const Ajv = ((ajvDraft04 as unknown as { default?: AjvClass }).default ?? ajvDraft04) as unknown as AjvClass;
const compiled = new Map<string, ValidateFunction>();

/** A draft-4 schema, compiled once per text (API Gateway's models are JSON Schema draft 4). */
export function compileSchema(schema: string, fail: (message: string) => Error): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  let validate: ValidateFunction;
  try {
    validate = new Ajv({ allErrors: false, strict: false }).compile(JSON.parse(schema) as object);
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(schema, validate);
  return validate;
}
