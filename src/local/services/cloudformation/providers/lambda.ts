/**
 * AWS::Lambda::Function (Ref = name; GetAtt Arn), ::EventSourceMapping (Ref = UUID), ::Permission,
 * ::EventInvokeConfig, through the Lambda service's function and mapping stores. Inline `ZipFile`
 * source becomes `index.js` (or `index.py`) in a zip, with AWS's `cfn-response` module for Node.js.
 */
import { strToU8, zipSync } from 'fflate';
import type { LocalContext } from '../../../service.js';
import type { LocalLambda } from '../../lambda/service.js';
import { addPermission, putConcurrency, putInvokeConfig, removePermission } from '../../lambda/settings.js';
import { CFN_RESPONSE_MODULE } from './cfn-response-module.js';
import { isNotFound, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const lambda = (local: LocalContext) => local.service<LocalLambda>('lambda');

function code(props: Props): Record<string, unknown> {
  const c = (props.Code ?? {}) as Props;
  if (c.ZipFile !== undefined) {
    const python = String(props.Runtime ?? '').startsWith('python');
    const files: Record<string, Uint8Array> = python
      ? { 'index.py': strToU8(String(c.ZipFile)) }
      : { 'index.js': strToU8(String(c.ZipFile)), 'node_modules/cfn-response/index.js': strToU8(CFN_RESPONSE_MODULE) };
    return { ZipFile: Buffer.from(zipSync(files)).toString('base64') };
  }
  return { S3Bucket: c.S3Bucket, S3Key: c.S3Key, ...(c.S3ObjectVersion ? { S3ObjectVersion: c.S3ObjectVersion } : {}) };
}

/** The configuration CreateFunction / UpdateFunctionConfiguration take; absent properties reset to defaults. */
function configuration(props: Props): Record<string, unknown> {
  return {
    Runtime: props.Runtime,
    Role: props.Role,
    Handler: props.Handler,
    Description: props.Description ?? '',
    Timeout: Number(props.Timeout ?? 3),
    MemorySize: Number(props.MemorySize ?? 128),
    Environment: { Variables: (props.Environment as Props | undefined)?.Variables ?? {} },
    ...(props.Architectures ? { Architectures: props.Architectures } : {}),
    LoggingConfig: props.LoggingConfig ?? { LogFormat: 'Text', LogGroup: '' },
    TracingConfig: props.TracingConfig ?? { Mode: 'PassThrough' },
    ...(props.DeadLetterConfig ? { DeadLetterConfig: props.DeadLetterConfig } : {}),
    ...(props.EphemeralStorage ? { EphemeralStorage: props.EphemeralStorage } : {}),
    ...(props.Layers?.length ? { Layers: props.Layers } : {}),
    ...(props.KmsKeyArn ? { KMSKeyArn: props.KmsKeyArn } : {}),
    ...(props.VpcConfig ? { VpcConfig: props.VpcConfig } : {}),
    ...(props.PackageType ? { PackageType: props.PackageType } : {}),
  };
}

export const fn: ResourceProvider = {
  replaceOn: ['FunctionName', 'PackageType'],
  nameProperty: 'FunctionName',
  attributes: ['Arn', 'SnapStartResponse', 'SnapStartResponse.ApplyOn', 'SnapStartResponse.OptimizationStatus'],
  async create(props, ctx) {
    const { functions } = lambda(ctx.local);
    const name = props.FunctionName ?? ctx.physicalName({ maxLength: 64 });
    const created = await functions.create(ctx.region, { FunctionName: name, ...configuration(props), Code: code(props), Tags: tagRecord(props.Tags) });
    if (props.ReservedConcurrentExecutions !== undefined) await putConcurrency(functions, created, Number(props.ReservedConcurrentExecutions));
    return { physicalId: name, attributes: { Arn: functions.arn(created) } };
  },
  async update(name, props, old, ctx) {
    const { functions } = lambda(ctx.local);
    const current = functions.get(ctx.region, name);
    if (JSON.stringify(props.Code) !== JSON.stringify(old.properties.Code)) await functions.updateCode(current, code(props));
    await functions.updateConfig(current, configuration(props));
    const tags = tagRecord(props.Tags);
    await functions.untag(current, Object.keys(current.tags).filter((k) => !(k in tags)));
    await functions.tag(current, tags);
    if (props.ReservedConcurrentExecutions !== undefined) await putConcurrency(functions, current, Number(props.ReservedConcurrentExecutions));
    return { physicalId: name, attributes: { Arn: functions.arn(current) } };
  },
  async delete(name, _props, ctx) {
    const { functions } = lambda(ctx.local);
    try {
      await functions.delete(functions.get(ctx.region, name));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

const mappingAttributes = (ctx: ProviderContext, uuid: string) => ({
  Id: uuid,
  EventSourceMappingArn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${uuid}`,
});

function mappingInput(props: Props): Record<string, unknown> {
  const keys = ['FunctionName', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'Enabled', 'FunctionResponseTypes', 'ScalingConfig'];
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

export const eventSourceMapping: ResourceProvider = {
  replaceOn: ['EventSourceArn', 'StartingPosition', 'StartingPositionTimestamp', 'SelfManagedEventSource', 'Topics', 'Queues', 'AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig'],
  attributes: ['Id', 'EventSourceMappingArn'],
  async create(props, ctx) {
    const m = await lambda(ctx.local).mappings.create(ctx.region, { ...mappingInput(props), EventSourceArn: props.EventSourceArn });
    return { physicalId: m.UUID, attributes: mappingAttributes(ctx, m.UUID) };
  },
  async update(uuid, props, _old, ctx) {
    // Properties left out go back to their defaults, as CloudFormation sends the whole resource.
    const defaults = { BatchSize: 10, MaximumBatchingWindowInSeconds: 0, Enabled: true, FunctionResponseTypes: [] };
    await lambda(ctx.local).mappings.update(uuid, { ...defaults, ...mappingInput(props) });
    return { physicalId: uuid, attributes: mappingAttributes(ctx, uuid) };
  },
  async delete(uuid, _props, ctx) {
    try {
      await lambda(ctx.local).mappings.delete(uuid);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

/** Every property of a permission replaces it (AWS has no update for a policy statement). */
export const permission: ResourceProvider = {
  attributes: [],
  async create(props, ctx) {
    const { functions } = lambda(ctx.local);
    const sid = ctx.physicalName({ maxLength: 100 });
    await addPermission(functions, functions.get(ctx.region, String(props.FunctionName)), { ...props, StatementId: sid });
    return { physicalId: sid };
  },
  async delete(sid, props, ctx) {
    const { functions } = lambda(ctx.local);
    try {
      await removePermission(functions, functions.get(ctx.region, String(props.FunctionName)), sid);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

export const eventInvokeConfig: ResourceProvider = {
  replaceOn: ['FunctionName', 'Qualifier'],
  attributes: [],
  async create(props, ctx) {
    const { functions } = lambda(ctx.local);
    const target = functions.get(ctx.region, String(props.FunctionName), String(props.Qualifier ?? '$LATEST'));
    await putInvokeConfig(functions, target, props, true);
    return { physicalId: `${target.config.FunctionName}:${props.Qualifier ?? '$LATEST'}` };
  },
  async update(id, props, _old, ctx) {
    const { functions } = lambda(ctx.local);
    await putInvokeConfig(functions, functions.get(ctx.region, String(props.FunctionName)), props, true);
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    const { functions } = lambda(ctx.local);
    try {
      const target = functions.get(ctx.region, String(props.FunctionName));
      delete target.eventInvokeConfig;
      await functions.save(target);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
