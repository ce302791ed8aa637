/**
 * Serving a deployed stage: find the API, stage and route, authorize (AWS_IAM), call the Lambda proxy
 * integration, answer with what the function returned, and write the stage's access log line.
 */
import type { ServerResponse } from 'node:http';
import { localCredentials, type CredentialSource } from '../../auth/credentials.js';
import { AwsError } from '../../errors.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import type { LambdaApi, LogsApi } from '../contracts.js';
import { accessLogLine } from './access-log.js';
import { authorizeIam, type Caller } from './iam.js';
import { proxyEvent, proxyResponse } from './proxy.js';
import { invokeTarget, matchRoute, type InvokeTarget } from './routing.js';
import type { RestApi } from './model.js';
import type { ApiStore } from './store.js';
import { Throttle } from './throttle.js';
import { sendGatewayResponse, validateBody, validateParameters } from './validation.js';

/** API Gateway's payload limit (10 MB). */
const MAX_BODY = 10 * 1024 * 1024;
const LAMBDA_URI = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?)\/invocations$/;

const gatewayError = (status: number, type: string, message: string) => new AwsError(type, message, status);
const internalError = () => gatewayError(500, 'InternalServerErrorException', 'Internal server error');

export class Invoker {
  private readonly throttle = new Throttle();
  private readonly credentials: CredentialSource;

  constructor(
    private readonly ctx: LocalContext,
    private readonly store: ApiStore,
  ) {
    this.credentials = localCredentials(ctx);
  }

  async handle(req: ServiceRequest, res: ServerResponse): Promise<void> {
    const started = new Date();
    const rawPath = (req.raw.url ?? '/').split('?')[0]!;
    const rawQuery = (req.raw.url ?? '').includes('?') ? req.raw.url!.slice(req.raw.url!.indexOf('?') + 1) : '';
    const target = invokeTarget(req.header('host'), rawPath);
    const api = target ? await this.store.find(target.apiId) : undefined;
    if (!target || !api) {
      throw gatewayError(404, 'NotFoundException', `The API id '${target?.apiId ?? ''}' does not correspond to a deployed API Gateway API`);
    }
    try {
      await this.serve(req, res, { target, api, rawPath, rawQuery, started });
    } catch (error) {
      // The API's gateway responses reshape the stage's own errors (not the integration's answers).
      if (error instanceof AwsError && !res.headersSent && sendGatewayResponse(api, error, req.requestId, res)) return;
      throw error;
    }
  }

  private async serve(req: ServiceRequest, res: ServerResponse, at: { target: InvokeTarget; api: RestApi; rawPath: string; rawQuery: string; started: Date }): Promise<void> {
    const { target, api, rawPath, rawQuery, started } = at;
    const stage = api.stages[target.stage];
    if (!stage) throw gatewayError(403, 'ForbiddenException', 'Forbidden');
    const deployment = api.deployments[stage.deploymentId];
    if (!deployment) throw gatewayError(404, 'NotFoundException', `The API id '${api.id}' does not correspond to a deployed API Gateway API`);

    const segments = decodedSegments(target);
    const match = segments && matchRoute(deployment.resources, segments, req.method);
    if (!match) throw gatewayError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

    const declared = Number(req.header('content-length') ?? 0);
    if (declared > MAX_BODY) throw gatewayError(413, 'RequestTooLongException', 'Request Too Long');
    const body = await req.body();
    if (body.length > MAX_BODY) throw gatewayError(413, 'RequestTooLongException', 'Request Too Long');

    let caller: Caller | undefined;
    if (match.method.authorizationType === 'AWS_IAM') {
      const parts = { method: req.method, rawPath, rawQuery, headers: req.headers, rawHeaders: req.raw.rawHeaders, body, service: 'execute-api' as const };
      caller = await authorizeIam(parts, api.region, this.credentials);
    } else if (match.method.authorizationType !== 'NONE') {
      throw gatewayError(500, 'InternalServerErrorException', `tap local does not run ${match.method.authorizationType} authorizers.`);
    }
    validateParameters(api, match.method, { headers: req.headers, query: new URLSearchParams(rawQuery), pathParameters: match.pathParameters });
    validateBody(api, match.method, req.header('content-type'), body);
    if (!this.throttle.admit(api.id, stage, `${match.resource.path}/${match.method.httpMethod}`)) {
      throw gatewayError(429, 'TooManyRequestsException', 'Too Many Requests');
    }

    const integration = match.method.methodIntegration;
    const functionArn = integration?.type === 'AWS_PROXY' ? LAMBDA_URI.exec(integration.uri ?? '')?.[1] : undefined;
    if (!functionArn) throw gatewayError(500, 'InternalServerErrorException', `tap local runs Lambda proxy (AWS_PROXY) integrations only; ${match.method.httpMethod} ${match.resource.path} has ${integration?.type ?? 'none'}.`);

    const sourceIp = (req.raw.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const domainName = target.style === 'host' ? (req.header('host') ?? '').replace(/:\d+$/, '') : `${api.id}.execute-api.localhost`;
    const event = proxyEvent({
      apiId: api.id,
      stage: stage.stageName,
      deploymentId: deployment.id,
      requestId: req.requestId,
      method: req.method,
      path: `/${segments!.join('/')}`,
      rawHeaders: req.raw.rawHeaders,
      query: new URLSearchParams(rawQuery),
      body,
      match,
      stageVariables: stage.variables,
      caller,
      sourceIp,
      domainName,
      now: started,
    });
    let status = 502;
    try {
      let answer: { payload: string; functionError?: string };
      try {
        answer = await this.ctx.service<LambdaApi>('lambda').invokeByArn(functionArn, JSON.stringify(event));
      } catch (error) {
        console.error(`[tap local] API Gateway: invoking ${functionArn} failed:`, (error as Error).message);
        status = 500;
        throw internalError();
      }
      const response = answer.functionError ? undefined : proxyResponse(answer.payload);
      if (!response) {
        console.error(`[tap local] API Gateway: ${answer.functionError ? 'the function failed' : 'malformed Lambda proxy response'} (${functionArn}): ${answer.payload.slice(0, 300)}`);
        throw gatewayError(502, 'InternalServerErrorException', 'Internal server error');
      }
      status = response.statusCode;
      res.statusCode = response.statusCode;
      for (const [name, value] of response.headers) res.appendHeader(name, value);
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', response.body.length);
      res.setHeader('x-amzn-RequestId', req.requestId);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    } finally {
      await this.accessLog(api.region, stage.accessLogSettings, { req, target, match, caller, sourceIp, status, started });
    }
  }

  private async accessLog(region: string, settings: { destinationArn: string; format: string } | undefined, fields: Parameters<typeof accessLogLine>[1]): Promise<void> {
    const group = settings && /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:([^:]+)/.exec(settings.destinationArn)?.[1];
    if (!settings || !group) return;
    try {
      const message = accessLogLine(settings.format, fields);
      await this.ctx.service<LogsApi>('logs').appendEvents(region, group, `${fields.target.apiId}_${fields.target.stage}`, [{ timestamp: Date.now(), message }]);
    } catch (error) {
      console.error('[tap local] API Gateway: access log not written:', (error as Error).message);
    }
  }
}

/** The path after the stage as decoded segments ('' for the stage root), or undefined if undecodable. */
function decodedSegments(target: InvokeTarget): string[] | undefined {
  const parts = target.rawPath.replace(/^\/+/, '').split('/');
  if (parts.length === 1 && parts[0] === '') return [];
  if (parts[parts.length - 1] === '') parts.pop();
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}
