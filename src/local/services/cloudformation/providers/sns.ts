/**
 * AWS::SNS::Topic (Ref = ARN; GetAtt TopicArn, TopicName), ::Subscription (Ref = subscription ARN),
 * ::TopicPolicy, stored through the SNS service's store.
 */
import type { SnsService } from '../../sns/service.js';
import { bool, isNotFound, jsonDocument, type Props, type ProviderContext, type ResourceProvider, tagList } from './types.js';

const sns = (ctx: ProviderContext) => ctx.local.service<SnsService>('sns').store;
const TOPIC_ATTRIBUTES = ['DisplayName', 'KmsMasterKeyId', 'FifoTopic', 'ContentBasedDeduplication', 'SignatureVersion', 'TracingConfig', 'ArchivePolicy', 'FifoThroughputScope'];

function topicAttributes(props: Props): Record<string, string> {
  return Object.fromEntries(
    TOPIC_ATTRIBUTES.filter((k) => props[k] !== undefined).map((k) => [k, typeof props[k] === 'object' ? JSON.stringify(props[k]) : String(props[k])]),
  );
}


export const topic: ResourceProvider = {
  replaceOn: ['TopicName', 'FifoTopic'],
  nameProperty: 'TopicName',
  attributes: ['TopicArn', 'TopicName'],
  async create(props, ctx) {
    const fifo = bool(props.FifoTopic);
    const name = props.TopicName ?? `${ctx.physicalName({ maxLength: fifo ? 251 : 256 })}${fifo ? '.fifo' : ''}`;
    const created = await sns(ctx).createTopic(ctx.region, name, topicAttributes(props), tagList(props));
    for (const s of (props.Subscription ?? []) as Props[]) await sns(ctx).subscribe(created.TopicArn, String(s.Protocol), String(s.Endpoint));
    return { physicalId: created.TopicArn, attributes: { TopicArn: created.TopicArn, TopicName: name } };
  },
  async update(arn, props, old, ctx) {
    const updated = await sns(ctx).updateTopic(arn, (t) => {
      for (const k of TOPIC_ATTRIBUTES) delete t.Attributes[k];
      Object.assign(t.Attributes, { DisplayName: '' }, topicAttributes(props));
      t.Tags = tagList(props);
    });
    const wanted = ((props.Subscription ?? []) as Props[]).map((s) => `${s.Protocol}|${s.Endpoint}`);
    for (const s of await sns(ctx).listSubscriptions(arn)) {
      const fromTemplate = ((old.properties.Subscription ?? []) as Props[]).some((o) => o.Protocol === s.Protocol && o.Endpoint === s.Endpoint);
      if (fromTemplate && !wanted.includes(`${s.Protocol}|${s.Endpoint}`)) await sns(ctx).unsubscribe(s.SubscriptionArn);
    }
    for (const s of (props.Subscription ?? []) as Props[]) await sns(ctx).subscribe(arn, String(s.Protocol), String(s.Endpoint));
    return { physicalId: arn, attributes: { TopicArn: arn, TopicName: updated.Name } };
  },
  async delete(arn, _props, ctx) {
    try {
      for (const s of await sns(ctx).listSubscriptions(arn)) await sns(ctx).unsubscribe(s.SubscriptionArn);
      await sns(ctx).deleteTopic(arn);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

const SUBSCRIPTION_ATTRIBUTES = ['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];

function subscriptionAttributes(props: Props): Record<string, string> {
  return Object.fromEntries(
    SUBSCRIPTION_ATTRIBUTES.filter((k) => props[k] !== undefined).map((k) => [k, typeof props[k] === 'object' ? JSON.stringify(props[k]) : String(props[k])]),
  );
}

export const subscription: ResourceProvider = {
  replaceOn: ['Endpoint', 'Protocol', 'TopicArn', 'Region'],
  attributes: ['Arn'],
  async create(props, ctx) {
    const s = await sns(ctx).subscribe(String(props.TopicArn), String(props.Protocol), String(props.Endpoint), subscriptionAttributes(props));
    return { physicalId: s.SubscriptionArn, attributes: { Arn: s.SubscriptionArn } };
  },
  async update(arn, props, _old, ctx) {
    await sns(ctx).updateSubscription(arn, (s) => {
      for (const k of SUBSCRIPTION_ATTRIBUTES) delete s.Attributes[k];
      Object.assign(s.Attributes, subscriptionAttributes(props));
    });
    return { physicalId: arn, attributes: { Arn: arn } };
  },
  async delete(arn, _props, ctx) {
    await sns(ctx).unsubscribe(arn);
  },
};

async function setPolicy(ctx: ProviderContext, topics: unknown, policy: string | undefined): Promise<void> {
  for (const arn of (topics ?? []) as string[]) {
    try {
      await sns(ctx).updateTopic(arn, (t) => {
        if (policy === undefined) delete t.Attributes.Policy;
        else t.Attributes.Policy = policy;
      });
    } catch (error) {
      if (policy !== undefined || !isNotFound(error)) throw error;
    }
  }
}

export const topicPolicy: ResourceProvider = {
  attributes: ['Id'],
  async create(props, ctx) {
    await setPolicy(ctx, props.Topics, jsonDocument(props.PolicyDocument));
    const id = ctx.physicalName({ maxLength: 80 });
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(id, props, old, ctx) {
    await setPolicy(ctx, ((old.properties.Topics ?? []) as string[]).filter((t) => !((props.Topics ?? []) as string[]).includes(t)), undefined);
    await setPolicy(ctx, props.Topics, jsonDocument(props.PolicyDocument));
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(_id, props, ctx) {
    await setPolicy(ctx, props.Topics, undefined);
  },
};
