/**
 * AWS::ApiGateway::RestApi (Ref = id; GetAtt RootResourceId, RestApiId), ::Resource (Ref = id),
 * ::Method, ::Deployment (Ref = id), ::Stage (Ref = name), ::Account (nothing to keep locally), with
 * the properties CDK's RestApi and LambdaIntegration emit, through the API Gateway service's store.
 */
import type { LocalApiGateway } from '../../apigateway/service.js';
import type { Method, Stage } from '../../apigateway/model.js';
import { randomUUID } from 'node:crypto';
import { bool, isNotFound, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

export const apis = (ctx: ProviderContext) => ctx.local.service<LocalApiGateway>('apigateway').apis;

/** Deleting what is already gone succeeds, as CloudFormation's delete does. */
export async function ignoreGone(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export const restApi: ResourceProvider = {
  attributes: ['RootResourceId', 'RestApiId'],
  replaceOn: [],
  async create(props, ctx) {
    if (props.Body || props.BodyS3Location) throw new Error('tap local does not import OpenAPI definitions (Body, BodyS3Location); define resources and methods in the template.');
    const api = await apis(ctx).create(ctx.region, {
      name: props.Name,
      description: props.Description,
      endpointTypes: props.EndpointConfiguration?.Types,
      tags: tagRecord(props.Tags),
      ...(props.Policy && { policy: typeof props.Policy === 'string' ? props.Policy : JSON.stringify(props.Policy) }),
      disableExecuteApiEndpoint: bool(props.DisableExecuteApiEndpoint),
    });
    return { physicalId: api.id, attributes: { RootResourceId: api.rootResourceId, RestApiId: api.id } };
  },
  async update(id, props, _old, ctx) {
    const api = await apis(ctx).update(id, (a) => {
      a.name = String(props.Name);
      a.description = props.Description;
      a.tags = tagRecord(props.Tags);
      if (props.EndpointConfiguration?.Types) a.endpointConfiguration = { types: props.EndpointConfiguration.Types };
      a.disableExecuteApiEndpoint = bool(props.DisableExecuteApiEndpoint);
      return a;
    });
    return { physicalId: id, attributes: { RootResourceId: api.rootResourceId, RestApiId: api.id } };
  },
  async delete(id, _props, ctx) {
    await ignoreGone(() => apis(ctx).delete(id));
  },
};

export const resource: ResourceProvider = {
  attributes: ['ResourceId'],
  replaceOn: ['RestApiId', 'ParentId', 'PathPart'],
  async create(props, ctx) {
    const created = await apis(ctx).createResource(String(props.RestApiId), String(props.ParentId), props.PathPart);
    return { physicalId: created.id, attributes: { ResourceId: created.id } };
  },
  async delete(id, props, ctx) {
    await ignoreGone(() => apis(ctx).deleteResource(String(props.RestApiId), id));
  },
};

function methodInput(props: Props): Partial<Method> {
  const i = props.Integration as Props | undefined;
  return {
    authorizationType: props.AuthorizationType ?? 'NONE',
    apiKeyRequired: bool(props.ApiKeyRequired),
    ...(props.RequestParameters && { requestParameters: props.RequestParameters }),
    ...(props.RequestModels && { requestModels: props.RequestModels }),
    ...(props.RequestValidatorId && { requestValidatorId: String(props.RequestValidatorId) }),
    ...(props.OperationName && { operationName: String(props.OperationName) }),
    ...(i && {
      methodIntegration: {
        type: String(i.Type),
        ...(i.IntegrationHttpMethod && { httpMethod: String(i.IntegrationHttpMethod) }),
        ...(i.Uri && { uri: String(i.Uri) }),
        ...(i.PassthroughBehavior && { passthroughBehavior: String(i.PassthroughBehavior) }),
        timeoutInMillis: Number(i.TimeoutInMillis ?? 29_000),
        cacheNamespace: String(i.CacheNamespace ?? props.ResourceId),
        cacheKeyParameters: (i.CacheKeyParameters ?? []) as string[],
      },
    }),
  };
}

export const method: ResourceProvider = {
  attributes: [],
  replaceOn: ['RestApiId', 'ResourceId', 'HttpMethod'],
  async create(props, ctx) {
    await apis(ctx).putMethod(String(props.RestApiId), String(props.ResourceId), String(props.HttpMethod), methodInput(props));
    return { physicalId: `${props.RestApiId}|${props.ResourceId}|${String(props.HttpMethod).toUpperCase()}` };
  },
  async update(id, props, _old, ctx) {
    await apis(ctx).putMethod(String(props.RestApiId), String(props.ResourceId), String(props.HttpMethod), methodInput(props));
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    await ignoreGone(() => apis(ctx).deleteMethod(String(props.RestApiId), String(props.ResourceId), String(props.HttpMethod)));
  },
};

export const deployment: ResourceProvider = {
  attributes: ['DeploymentId'],
  replaceOn: ['RestApiId', 'DeploymentCanarySettings'],
  async create(props, ctx) {
    const apiId = String(props.RestApiId);
    const created = await apis(ctx).createDeployment(apiId, props.Description);
    if (props.StageName) await apis(ctx).putStage(apiId, { stageName: String(props.StageName), deploymentId: created.id, ...stageInput(props.StageDescription ?? {}) }, true);
    return { physicalId: created.id, attributes: { DeploymentId: created.id } };
  },
  async update(id, props, _old, ctx) {
    await apis(ctx).update(String(props.RestApiId), (api) => {
      if (api.deployments[id]) api.deployments[id]!.description = props.Description;
    });
    return { physicalId: id, attributes: { DeploymentId: id } };
  },
  async delete(id, props, ctx) {
    await ignoreGone(async () => {
      if (props.StageName) await ignoreGone(() => apis(ctx).deleteStage(String(props.RestApiId), String(props.StageName)));
      await apis(ctx).deleteDeployment(String(props.RestApiId), id);
    });
  },
};

/** Stage properties (also a Deployment's StageDescription) → the stored stage's fields. */
function stageInput(props: Props): Partial<Stage> {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const s of (props.MethodSettings ?? []) as Props[]) {
    const path = String(s.ResourcePath ?? '/*');
    const verb = String(s.HttpMethod ?? '*');
    const key = path === '/*' && verb === '*' ? '*/*' : `${path.replace(/^\//, '').replace(/\//g, '~1')}/${verb}`;
    settings[key] = {
      ...(s.ThrottlingRateLimit !== undefined && { throttlingRateLimit: Number(s.ThrottlingRateLimit) }),
      ...(s.ThrottlingBurstLimit !== undefined && { throttlingBurstLimit: Number(s.ThrottlingBurstLimit) }),
      ...(s.LoggingLevel !== undefined && { loggingLevel: String(s.LoggingLevel) }),
      metricsEnabled: bool(s.MetricsEnabled),
      dataTraceEnabled: bool(s.DataTraceEnabled),
    };
  }
  // A Deployment's StageDescription puts throttling at the top level.
  if (props.ThrottlingRateLimit !== undefined || props.ThrottlingBurstLimit !== undefined) {
    settings['*/*'] = {
      ...settings['*/*'],
      ...(props.ThrottlingRateLimit !== undefined && { throttlingRateLimit: Number(props.ThrottlingRateLimit) }),
      ...(props.ThrottlingBurstLimit !== undefined && { throttlingBurstLimit: Number(props.ThrottlingBurstLimit) }),
    };
  }
  const log = props.AccessLogSetting as Props | undefined;
  return {
    ...(props.Description && { description: String(props.Description) }),
    ...(props.Variables && { variables: props.Variables }),
    methodSettings: settings,
    ...(log?.DestinationArn && { accessLogSettings: { destinationArn: String(log.DestinationArn), format: String(log.Format ?? '$context.requestId') } }),
    tracingEnabled: bool(props.TracingEnabled),
    ...(props.Tags && { tags: tagRecord(props.Tags) }),
  };
}

export const stage: ResourceProvider = {
  attributes: [],
  replaceOn: ['RestApiId', 'StageName'],
  nameProperty: 'StageName',
  async create(props, ctx) {
    const name = String(props.StageName ?? ctx.physicalName({ maxLength: 128 }).replace(/[^A-Za-z0-9_-]/g, '-'));
    await apis(ctx).putStage(String(props.RestApiId), { stageName: name, deploymentId: String(props.DeploymentId), ...stageInput(props) }, true);
    return { physicalId: name };
  },
  async update(name, props, _old, ctx) {
    await apis(ctx).putStage(String(props.RestApiId), { stageName: name, deploymentId: String(props.DeploymentId), ...stageInput(props) }, false);
    return { physicalId: name };
  },
  async delete(name, props, ctx) {
    await ignoreGone(() => apis(ctx).deleteStage(String(props.RestApiId), name));
  },
};

/** AWS::ApiGateway::Account: the region's CloudWatch role for API Gateway. Nothing to keep locally. */
export const account: ResourceProvider = {
  attributes: ['Id'],
  async create() {
    const id = randomUUID();
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(id) {
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete() {},
};
