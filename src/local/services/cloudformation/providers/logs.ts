/** AWS::Logs::LogGroup: Ref = name; GetAtt Arn (ending in `:*`, as CloudFormation returns it). */
import { logs } from './inprocess.js';
import { isNotFound, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const arn = (ctx: ProviderContext, name: string) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*`;

async function retention(ctx: ProviderContext, name: string, days: unknown): Promise<void> {
  if (days === undefined) await logs(ctx.local, ctx.region, 'DeleteRetentionPolicy', { logGroupName: name });
  else await logs(ctx.local, ctx.region, 'PutRetentionPolicy', { logGroupName: name, retentionInDays: Number(days) });
}

export const logGroup: ResourceProvider = {
  replaceOn: ['LogGroupName', 'LogGroupClass'],
  nameProperty: 'LogGroupName',
  attributes: ['Arn'],
  async create(props, ctx) {
    const name = props.LogGroupName ?? ctx.physicalName({ maxLength: 512 });
    const tags = tagRecord(props.Tags);
    await logs(ctx.local, ctx.region, 'CreateLogGroup', {
      logGroupName: name,
      ...(Object.keys(tags).length ? { tags } : {}),
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
    const resourceArn = arn(ctx, name).replace(/:\*$/, '');
    if (removed.length) await logs(ctx.local, ctx.region, 'UntagResource', { resourceArn, tagKeys: removed });
    if (Object.keys(next).length) await logs(ctx.local, ctx.region, 'TagResource', { resourceArn, tags: next });
    return { physicalId: name, attributes: { Arn: arn(ctx, name) } };
  },
  async delete(name, _props, ctx) {
    try {
      await logs(ctx.local, ctx.region, 'DeleteLogGroup', { logGroupName: name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
