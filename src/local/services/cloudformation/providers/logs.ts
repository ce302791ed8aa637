/**
 * AWS::Logs::LogGroup: Ref = name; GetAtt Arn (ending in `:*`, as CloudFormation returns it). Through
 * the Logs service's store, which validates as the API does (names, retention values, tags).
 */
import type { LocalLogs } from '../../logs/service.js';
import { isNotFound, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const logs = (ctx: ProviderContext) => ctx.local.service<LocalLogs>('logs').store;
const group = (ctx: ProviderContext, name: string) => logs(ctx).group(ctx.region, name);
const arn = (ctx: ProviderContext, name: string) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*`;

/** PutRetentionPolicy, or DeleteRetentionPolicy when the template sets none. */
function retention(ctx: ProviderContext, name: string, days: unknown): Promise<void> {
  return logs(ctx).setRetention(group(ctx, name), days === undefined ? undefined : Number(days));
}

export const logGroup: ResourceProvider = {
  replaceOn: ['LogGroupName', 'LogGroupClass'],
  nameProperty: 'LogGroupName',
  attributes: ['Arn'],
  async create(props, ctx) {
    const name = props.LogGroupName ?? ctx.physicalName({ maxLength: 512 });
    await logs(ctx).createLogGroup(ctx.region, name, {
      tags: tagRecord(props.Tags),
      ...(props.KmsKeyId ? { kmsKeyId: props.KmsKeyId } : {}),
      ...(props.LogGroupClass ? { logGroupClass: props.LogGroupClass } : {}),
    });
    if (props.RetentionInDays !== undefined) await retention(ctx, name, props.RetentionInDays);
    return { physicalId: name, attributes: { Arn: arn(ctx, name) } };
  },
  async update(name, props: Props, old, ctx) {
    if (String(props.RetentionInDays) !== String(old.properties.RetentionInDays)) await retention(ctx, name, props.RetentionInDays);
    const next = tagRecord(props.Tags);
    const removed = Object.keys(tagRecord(old.properties.Tags)).filter((k) => !(k in next));
    if (removed.length) await logs(ctx).untag(group(ctx, name), removed);
    if (Object.keys(next).length) await logs(ctx).tag(group(ctx, name), next);
    return { physicalId: name, attributes: { Arn: arn(ctx, name) } };
  },
  async delete(name, _props, ctx) {
    try {
      await logs(ctx).deleteLogGroup(ctx.region, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
