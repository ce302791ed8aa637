/**
 * AWS::SQS::Queue (Ref = queue URL; GetAtt Arn, QueueName, QueueUrl) and AWS::SQS::QueuePolicy. The SQS
 * service keeps its store private, so these go through its JSON API in-process (inprocess.ts).
 */
import { sqs } from './inprocess.js';
import { bool, isNotFound, jsonDocument, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const ATTRIBUTES = [
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope',
  'FifoThroughputLimit', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled',
];
/** What an attribute returns to when the template stops setting it (SQS's defaults). */
const DEFAULTS: Record<string, string> = {
  DelaySeconds: '0', MaximumMessageSize: '262144', MessageRetentionPeriod: '345600', ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30', RedrivePolicy: '', RedriveAllowPolicy: '', KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300', SqsManagedSseEnabled: 'true',
};

function attributes(props: Props): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ATTRIBUTES) {
    const v = props[key];
    if (v === undefined) continue;
    out[key] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function queueAttributes(ctx: ProviderContext, url: string) {
  const name = url.split('/').pop()!;
  return { Arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`, QueueName: name, QueueUrl: url };
}

export const queue: ResourceProvider = {
  replaceOn: ['QueueName', 'FifoQueue'],
  nameProperty: 'QueueName',
  attributes: ['Arn', 'QueueName', 'QueueUrl'],
  async create(props, ctx) {
    const fifo = bool(props.FifoQueue);
    const name = props.QueueName ?? `${ctx.physicalName({ maxLength: fifo ? 75 : 80 })}${fifo ? '.fifo' : ''}`;
    const tags = tagRecord(props.Tags);
    const { QueueUrl } = await sqs<{ QueueUrl: string }>(ctx.local, ctx.region, 'CreateQueue', {
      QueueName: name,
      Attributes: attributes(props),
      ...(Object.keys(tags).length ? { tags } : {}),
    });
    return { physicalId: QueueUrl, attributes: queueAttributes(ctx, QueueUrl) };
  },
  async update(url, props, old, ctx) {
    const next = attributes(props);
    for (const key of Object.keys(attributes(old.properties))) if (!(key in next) && key in DEFAULTS) next[key] = DEFAULTS[key]!;
    delete next.FifoQueue;
    if (Object.keys(next).length) await sqs(ctx.local, ctx.region, 'SetQueueAttributes', { QueueUrl: url, Attributes: next });
    const tags = tagRecord(props.Tags);
    const removed = Object.keys(tagRecord(old.properties.Tags)).filter((k) => !(k in tags));
    if (removed.length) await sqs(ctx.local, ctx.region, 'UntagQueue', { QueueUrl: url, TagKeys: removed });
    if (Object.keys(tags).length) await sqs(ctx.local, ctx.region, 'TagQueue', { QueueUrl: url, Tags: tags });
    return { physicalId: url, attributes: queueAttributes(ctx, url) };
  },
  async delete(url, _props, ctx) {
    try {
      await sqs(ctx.local, ctx.region, 'DeleteQueue', { QueueUrl: url });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

async function setPolicy(ctx: ProviderContext, urls: unknown, policy: string, ignoreMissing: boolean): Promise<void> {
  for (const url of (urls ?? []) as string[]) {
    try {
      await sqs(ctx.local, ctx.region, 'SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: policy } });
    } catch (error) {
      if (!ignoreMissing || !isNotFound(error)) throw error;
    }
  }
}

export const queuePolicy: ResourceProvider = {
  attributes: ['Id'],
  async create(props, ctx) {
    await setPolicy(ctx, props.Queues, jsonDocument(props.PolicyDocument), false);
    const id = ctx.physicalName({ maxLength: 80 });
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(id, props, old, ctx) {
    const dropped = ((old.properties.Queues ?? []) as string[]).filter((q) => !((props.Queues ?? []) as string[]).includes(q));
    await setPolicy(ctx, dropped, '', true);
    await setPolicy(ctx, props.Queues, jsonDocument(props.PolicyDocument), false);
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(_id, props, ctx) {
    await setPolicy(ctx, props.Queues, '', true);
  },
};
