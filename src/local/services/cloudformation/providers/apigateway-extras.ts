/**
 * AWS::ApiGateway::Model (Ref = name), ::RequestValidator (Ref = id), ::GatewayResponse: request
 * validation and error shaping of a REST API, through the API Gateway service's store.
 */
import * as extras from '../../apigateway/extras.js';
import type { LocalApiGateway } from '../../apigateway/service.js';
import { apis, ignoreGone } from './apigateway.js';
import { bool, type ResourceProvider } from './types.js';

export const model: ResourceProvider = {
  attributes: [],
  replaceOn: ['RestApiId', 'Name', 'ContentType', 'Schema', 'Description'],
  nameProperty: 'Name',
  async create(props, ctx) {
    const name = String(props.Name ?? ctx.physicalName({ maxLength: 255 }).replace(/[^A-Za-z0-9]/g, ''));
    await extras.createModel(apis(ctx), String(props.RestApiId), { name, contentType: props.ContentType, schema: props.Schema });
    return { physicalId: name };
  },
  async delete(name, props, ctx) {
    await ignoreGone(() => extras.deleteModel(apis(ctx), String(props.RestApiId), name));
  },
};

export const requestValidator: ResourceProvider = {
  attributes: ['RequestValidatorId'],
  replaceOn: ['RestApiId', 'Name', 'ValidateRequestBody', 'ValidateRequestParameters'],
  async create(props, ctx) {
    const created = await extras.createValidator(apis(ctx), String(props.RestApiId), {
      ...(props.Name && { name: String(props.Name) }),
      validateRequestBody: bool(props.ValidateRequestBody),
      validateRequestParameters: bool(props.ValidateRequestParameters),
    });
    return { physicalId: created.id, attributes: { RequestValidatorId: created.id } };
  },
  async delete(id, props, ctx) {
    await ignoreGone(() => extras.deleteValidator(apis(ctx), String(props.RestApiId), id));
  },
};

export const gatewayResponse: ResourceProvider = {
  attributes: [],
  replaceOn: ['RestApiId', 'ResponseType'],
  async create(props, ctx) {
    const apiId = String(props.RestApiId);
    await extras.putGatewayResponse(apis(ctx), apiId, {
      responseType: String(props.ResponseType),
      ...(props.StatusCode && { statusCode: String(props.StatusCode) }),
      ...(props.ResponseTemplates && { responseTemplates: props.ResponseTemplates }),
      ...(props.ResponseParameters && { responseParameters: props.ResponseParameters }),
    });
    return { physicalId: `${apiId}|${props.ResponseType}` };
  },
  async update(id, props, _old, ctx) {
    await gatewayResponse.create(props, ctx);
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    await ignoreGone(() => extras.deleteGatewayResponse(apis(ctx), String(props.RestApiId), String(props.ResponseType)));
  },
};
