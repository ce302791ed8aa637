/** AWS::CloudWatch::Alarm (Ref = name; GetAtt Arn) and AWS::SSM::Parameter (Ref = name; GetAtt Type, Value). */
import type { CloudWatchService } from '../../cloudwatch/service.js';
import type { SsmService } from '../../ssm/service.js';
import { isNotFound, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const cloudwatch = (ctx: ProviderContext) => ctx.local.service<CloudWatchService>('monitoring');
const ssm = (ctx: ProviderContext) => ctx.local.service<SsmService>('ssm');

async function putAlarm(ctx: ProviderContext, name: string, props: Props) {
  const { AlarmName: _ignored, ...rest } = props;
  const alarm = await cloudwatch(ctx).putAlarm(ctx.region, { AlarmName: name, ...rest });
  return { physicalId: name, attributes: { Arn: alarm.AlarmArn } };
}

export const alarm: ResourceProvider = {
  replaceOn: ['AlarmName'],
  nameProperty: 'AlarmName',
  attributes: ['Arn'],
  create: (props, ctx) => putAlarm(ctx, props.AlarmName ?? ctx.physicalName({ maxLength: 255 }), props),
  update: (name, props, _old, ctx) => putAlarm(ctx, name, props),
  async delete(name, _props, ctx) {
    try {
      await cloudwatch(ctx).deleteAlarm(ctx.region, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

async function putParameter(ctx: ProviderContext, name: string, props: Props, overwrite: boolean) {
  const tags = Object.entries((props.Tags ?? {}) as Record<string, unknown>).map(([Key, Value]) => ({ Key, Value: String(Value) }));
  const p = await ssm(ctx).putParameter(ctx.region, {
    Name: name,
    Value: String(props.Value),
    Type: props.Type ?? 'String',
    ...(props.Description !== undefined ? { Description: props.Description } : {}),
    ...(props.AllowedPattern !== undefined ? { AllowedPattern: props.AllowedPattern } : {}),
    ...(props.DataType !== undefined ? { DataType: props.DataType } : {}),
    ...(props.Tier !== undefined ? { Tier: props.Tier } : {}),
    ...(overwrite ? { Overwrite: true } : { Tags: tags }),
  });
  return { physicalId: name, attributes: { Type: p.Type, Value: p.Value } };
}

export const parameter: ResourceProvider = {
  replaceOn: ['Name'],
  nameProperty: 'Name',
  attributes: ['Type', 'Value'],
  create: (props, ctx) => putParameter(ctx, props.Name ?? `CFN-${ctx.logicalId}-${ctx.physicalName({ maxLength: 30 }).split('-').pop()}`, props, false),
  update: (name, props, _old, ctx) => putParameter(ctx, name, props, true),
  async delete(name, _props, ctx) {
    try {
      await ssm(ctx).deleteParameter(ctx.region, name);
    } catch (error) {
      if (!isNotFound(error) && (error as { code?: string }).code !== 'ParameterNotFound') throw error;
    }
  },
};
