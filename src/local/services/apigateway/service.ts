/**
 * API Gateway (REST APIs, v1): the control plane (`apigateway`, restJson over `/restapis/…`:
 * RestApi, Resource, Method, Integration, Deployment, Stage, with the read calls `aws apigateway`
 * uses) and the data plane (`execute-api`): deployed stages served at
 * `/_aws/execute-api/{apiId}/{stage}/{path}` and `{apiId}.execute-api.localhost:{port}/{stage}/{path}`,
 * through Lambda proxy integrations, with AWS_IAM (SigV4) enforced against the keys the local AWS knows
 * (auth/credentials.ts: the built-in pairs and the Active access keys of the local IAM; an Inactive or
 * deleted key answers 403 as an unknown one), request validation by request validators (required
 * path/query/header parameters: 400 "Missing required request parameters: […]"; bodies against models
 * in JSON Schema draft 4), gateway responses (status, headers, templates with `$context.error.*`),
 * stage throttling (rate and burst) and access logs to CloudWatch Logs. The control API covers REST
 * APIs, resources, methods, integrations, deployments, stages, request validators, models and gateway
 * responses. State lives under `<data-dir>/apigateway`, one JSON record per API.
 *
 * Leaves out: HTTP and WebSocket APIs (v2), integrations other than AWS_PROXY to Lambda (AWS, HTTP,
 * MOCK are stored; invoking them answers 500), authorizers (CUSTOM, COGNITO_USER_POOLS), API keys and
 * usage plans, mapping templates (gateway response templates substitute `$context.error.*` and
 * `$context.requestId` only), request parameter mapping (declared parameters are checked, not
 * renamed), binary media types (bodies are passed as text), resource policies (stored, not enforced),
 * the caller's IAM permissions (any known key may invoke: policies are not evaluated), Lambda resource
 * policies (not checked), update operations (PATCH), custom domain names, caching, canary settings,
 * X-Ray tracing (the flag is stored), and TestInvokeMethod.
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import { sendRestJson } from '../../protocols/rest.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { serviceDir } from '../../storage.js';
import { control } from './control.js';
import { Invoker } from './invoke.js';
import { ApiStore } from './store.js';

export interface LocalApiGateway extends LocalService {
  readonly apis: ApiStore;
}

const stores = new WeakMap<LocalContext, ApiStore>();

/** One store per local AWS, shared by the control and data planes. */
function storeOf(ctx: LocalContext): ApiStore {
  let store = stores.get(ctx);
  if (!store) {
    store = new ApiStore(serviceDir(ctx.dataDir, 'apigateway'), ctx.accountId);
    stores.set(ctx, store);
  }
  return store;
}

export function apigatewayService(ctx: LocalContext): LocalApiGateway {
  const store = storeOf(ctx);
  return {
    name: 'apigateway',
    apis: store,
    async handle(req: ServiceRequest, res: ServerResponse) {
      const answer = await control(req, store);
      if (answer.status === 202 || answer.status === 204) {
        res.writeHead(answer.status, { 'x-amzn-requestid': req.requestId, 'content-length': '0' });
        res.end();
        return;
      }
      sendRestJson(res, req.requestId, answer.status, answer.body);
    },
    sendError(req, res, error) {
      sendGatewayError(req, res, error);
    },
    async reset() {
      await store.clear();
    },
  };
}

export function executeApiService(ctx: LocalContext): LocalService {
  const invoker = new Invoker(ctx, storeOf(ctx));
  return {
    name: 'execute-api',
    handle: (req, res) => invoker.handle(req, res),
    sendError(req, res, error) {
      sendGatewayError(req, res, error);
    },
  };
}

/** API Gateway's error shape: `{"message": …}`, the type in `x-amzn-ErrorType`. */
function sendGatewayError(req: ServiceRequest, res: ServerResponse, error: AwsError): void {
  const text = JSON.stringify({ message: error.message });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': req.requestId,
    'x-amzn-ErrorType': error.code,
    ...error.extra.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
