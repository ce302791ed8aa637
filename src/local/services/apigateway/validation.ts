/**
 * Request validation and gateway responses. A method whose validator checks parameters needs every
 * required `method.request.{path,querystring,header}.X` present and not blank: 400 "Missing required
 * request parameters: [X, Y]" (BAD_REQUEST_PARAMETERS), checked before the body. A method with a body
 * validator and a model checks the body against the model's JSON Schema (draft 4) before the
 * integration runs: 400 "Invalid request body", with `$context.error.validationErrorString` for APIs
 * whose BAD_REQUEST_BODY response shows it.
 * Errors the stage answers itself can be reshaped by the API's gateway responses (status, template).
 */
import type { ServerResponse } from 'node:http';
import type { ErrorObject } from 'ajv-draft-04';
import { AwsError } from '../../errors.js';
import { compileSchema } from './extras.js';
import type { Method, RestApi } from './model.js';

/** An error of the stage's own, with the gateway response type that can reshape it. */
export class GatewayFailure extends AwsError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly responseType: string,
    readonly validationErrorString = '',
  ) {
    super(code, message, status);
  }
}

/** What a request carries, for the required-parameter check. */
export interface RequestParameters {
  /** Header values by lower-cased name. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

export function validateParameters(api: RestApi, method: Method, request: RequestParameters): void {
  const validator = method.requestValidatorId ? api.validators?.[method.requestValidatorId] : undefined;
  if (!validator?.validateRequestParameters || !method.requestParameters) return;
  const missing: string[] = [];
  for (const [name, required] of Object.entries(method.requestParameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(name);
    if (!required || !m) continue;
    const [, where, param] = m as unknown as [string, 'path' | 'querystring' | 'header', string];
    const values =
      where === 'header' ? [request.headers[param.toLowerCase()] ?? []].flat()
      : where === 'querystring' ? request.query.getAll(param)
      : [request.pathParameters?.[param] ?? ''];
    // "Included and not blank", as API Gateway's documentation puts it.
    if (!values.some((v) => v.trim() !== '')) missing.push(param);
  }
  if (missing.length > 0) {
    throw new GatewayFailure(400, 'BadRequestException', `Missing required request parameters: [${missing.join(', ')}]`, 'BAD_REQUEST_PARAMETERS');
  }
}

export function validateBody(api: RestApi, method: Method, contentType: string | undefined, body: Buffer): void {
  const validator = method.requestValidatorId ? api.validators?.[method.requestValidatorId] : undefined;
  if (!validator?.validateRequestBody || !method.requestModels) return;
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const modelName = method.requestModels[type] ?? method.requestModels.$default;
  const model = modelName ? api.models?.[modelName] : undefined;
  if (!model?.schema || model.name === 'Empty') return;
  const fail = (why: string) => new GatewayFailure(400, 'BadRequestException', 'Invalid request body', 'BAD_REQUEST_BODY', `[${why}]`);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw fail(`Invalid JSON: ${(error as Error).message}`);
  }
  const validate = compileSchema(model.schema, (message) => new AwsError('InternalServerErrorException', `The model ${model.name} is not a valid schema: ${message}`, 500));
  if (!validate(value)) throw fail((validate.errors ?? []).map(describe).join(', '));
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? `${e.instancePath} ` : '';
  if (e.keyword === 'required') return `object has missing required properties (["${(e.params as { missingProperty: string }).missingProperty}"])`;
  if (e.keyword === 'type') return `${where}instance type does not match any allowed primitive type (allowed: ${JSON.stringify([(e.params as { type: string }).type].flat())})`;
  if (e.keyword === 'additionalProperties') return `object instance has properties which are not allowed by the schema: (["${(e.params as { additionalProperty: string }).additionalProperty}"])`;
  return `${where}${e.message ?? e.keyword}`.trim();
}

/** The gateway response type for an error the stage answers itself. */
export function responseTypeOf(error: AwsError): string {
  if (error instanceof GatewayFailure) return error.responseType;
  const byCode: Record<string, string> = {
    MissingAuthenticationTokenException: 'MISSING_AUTHENTICATION_TOKEN',
    InvalidSignatureException: 'INVALID_SIGNATURE',
    IncompleteSignatureException: 'INVALID_SIGNATURE',
    UnrecognizedClientException: 'UNAUTHORIZED',
    TooManyRequestsException: 'THROTTLED',
    RequestTooLongException: 'REQUEST_TOO_LARGE',
  };
  return byCode[error.code] ?? (error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
}

/** Answers with the API's gateway response for the error, if it customizes one; false otherwise. */
export function sendGatewayResponse(api: RestApi, error: AwsError, requestId: string, res: ServerResponse): boolean {
  const type = responseTypeOf(error);
  const custom = api.gatewayResponses?.[type] ?? api.gatewayResponses?.[error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  if (!custom) return false;
  const template = custom.responseTemplates?.['application/json'] ?? Object.values(custom.responseTemplates ?? {})[0];
  const validation = error instanceof GatewayFailure ? error.validationErrorString : '';
  const inJson = (v: string) => JSON.stringify(v).slice(1, -1);
  const text = template === undefined
    ? JSON.stringify({ message: error.message })
    : template.replace(/\$context\.(error\.messageString|error\.message|error\.validationErrorString|requestId)/g, (_m, name: string) =>
        name === 'error.messageString' ? JSON.stringify(error.message) : inJson(name === 'error.message' ? error.message : name === 'requestId' ? requestId : validation),
      );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(custom.responseParameters ?? {})) {
    const m = /^gatewayresponse\.header\.(.+)$/.exec(name);
    if (m && /^'.*'$/.test(value)) headers[m[1]!] = value.slice(1, -1);
  }
  res.writeHead(custom.statusCode ? Number(custom.statusCode) : error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': error.code,
    ...headers,
  });
  res.end(text);
  return true;
}
