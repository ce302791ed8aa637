/**
 * AWS::SQS::Queue (Ref = queue URL, as CreateQueue returns it; GetAtt Arn, QueueName, QueueUrl) and
 * AWS::SQS::QueuePolicy, through the SQS service's store, which validates as the API does. Queues are
 * looked up by URL in the stack's region on every call, as a request signed for that region would be.
 */
import { STANDARD_DEFAULTS } from '../../sqs/attributes.js';
import type { LocalSqs } from '../../sqs/service.js';
import { bool, isNotFound, jsonDocument, tagRecord, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const sqs = (ctx: ProviderContext) => ctx.local.service<LocalSqs>('sqs').store;
const queueByUrl = (ctx: ProviderContext, url: unknown) => sqs(ctx).queueByUrl(ctx.region, url);

const ATTRIBUTES = [
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope',
  'FifoThroughputLimit', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled',
];
/** What an attribute returns to when the template stops setting it (SQS's defaults). */
const DEFAULTS: Record<string, string> = {
  ...STANDARD_DEFAULTS,
  RedrivePolicy: '', RedriveAllowPolicy: '', KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300',
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

/** GetAtt values follow from the URL (the physical id), so an update needs no lookup for them. */
function queueAttributes(ctx: ProviderContext, url: string) {
  const name = url.split('/').pop()!;
  return { Arn: sqs(ctx).arn(ctx.region, name), QueueName: name, QueueUrl: url };
}

export const queue: ResourceProvider = {
  replaceOn: ['QueueName', 'FifoQueue'],
  nameProperty: 'QueueName',
  attributes: ['Arn', 'QueueName', 'QueueUrl'],
  async create(props, ctx) {
    const fifo = bool(props.FifoQueue);
    const name = props.QueueName ?? `${ctx.physicalName({ maxLength: fifo ? 75 : 80 })}${fifo ? '.fifo' : ''}`;
    const store = sqs(ctx);
    const url = store.url(store.createQueue(ctx.region, name, attributes(props), tagRecord(props.Tags)));
    return { physicalId: url, attributes: queueAttributes(ctx, url) };
  },
  async update(url, props, old, ctx) {
    const next = attributes(props);
    for (const key of Object.keys(attributes(old.properties))) if (!(key in next) && key in DEFAULTS) next[key] = DEFAULTS[key]!;
    delete next.FifoQueue;
    // Only when something changed: every set bumps LastModifiedTimestamp.
    if (Object.keys(next).length) sqs(ctx).setAttributes(queueByUrl(ctx, url), next);
    const tags = tagRecord(props.Tags);
    const removed = Object.keys(tagRecord(old.properties.Tags)).filter((k) => !(k in tags));
    if (removed.length) sqs(ctx).untag(queueByUrl(ctx, url), removed);
    if (Object.keys(tags).length) sqs(ctx).tag(queueByUrl(ctx, url), tags);
    return { physicalId: url, attributes: queueAttributes(ctx, url) };
  },
  async delete(url, _props, ctx) {
    try {
      sqs(ctx).deleteQueue(queueByUrl(ctx, url));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

/** Each queue's policy set (or removed, ''), their writes together and off the event loop. */
async function setPolicy(ctx: ProviderContext, urls: unknown, policy: string, ignoreMissing: boolean): Promise<void> {
  const writes: Array<Promise<void>> = [];
  for (const url of (urls ?? []) as string[]) {
    try {
      writes.push(sqs(ctx).setAttributesAsync(queueByUrl(ctx, url), { Policy: policy }));
    } catch (error) {
      if (!ignoreMissing || !isNotFound(error)) throw error;
    }
  }
  await Promise.all(writes);
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
