/**
 * SNS (awsQuery): topics, subscriptions, attributes, tags, and Publish delivered in-process to SQS
 * queues (in SNS's JSON envelope, or raw with RawMessageDelivery) and Lambda functions (as an
 * asynchronous invocation). E-mail and HTTP(S) subscriptions stay pending confirmation — tap local
 * cannot reach them — so, as on AWS, nothing is delivered to them. Leaves out SMS, mobile push,
 * FIFO ordering, message filtering policies, data protection, and signature verification (the
 * Signature field is a placeholder).
 */
import { mergeTags } from '../../tags.js';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import { parseQueryParams, queryStructList, queryTags as tags, sendQueryError, sendQueryResult } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { serviceDir } from '../../storage.js';
import type { LambdaApi, SqsApi } from '../contracts.js';
import { SnsStore, type Subscription } from './store.js';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
type Params = Map<string, string>;

export interface SnsService extends LocalService {
  readonly store: SnsStore;
}

export function snsService(ctx: LocalContext): SnsService {
  const store = new SnsStore(serviceDir(ctx.dataDir, 'sns'), ctx.accountId);
  const required = (p: Params, name: string) => {
    const value = p.get(name);
    if (!value) throw new AwsError('InvalidParameter', `Invalid parameter: ${name}`);
    return value;
  };
  const members = <T>(items: T[]) => (items.length ? { member: items } : '');
  const entries = (map: Record<string, string>) => ({ entry: Object.entries(map).map(([key, value]) => ({ key, value })) });

  const operations: Record<string, (p: Params, req: ServiceRequest) => Promise<Record<string, unknown> | undefined>> = {
    CreateTopic: async (p, req) => ({
      TopicArn: (await store.createTopic(req.region, required(p, 'Name'), attributeMap(p), tags(p))).TopicArn,
    }),
    DeleteTopic: async (p) => void (await store.deleteTopic(required(p, 'TopicArn'))),
    ListTopics: async () => ({ Topics: members((await store.listTopics()).map((t) => ({ TopicArn: t.TopicArn }))) }),
    GetTopicAttributes: async (p) => {
      const topic = await store.getTopic(required(p, 'TopicArn'));
      const subs = await store.listSubscriptions(topic.TopicArn);
      return {
        Attributes: entries({
          ...topic.Attributes,
          SubscriptionsConfirmed: String(subs.filter((s) => !s.PendingConfirmation).length),
          SubscriptionsPending: String(subs.filter((s) => s.PendingConfirmation).length),
          SubscriptionsDeleted: '0',
        }),
      };
    },
    SetTopicAttributes: async (p) => {
      const [name, value] = [required(p, 'AttributeName'), p.get('AttributeValue') ?? ''];
      await store.updateTopic(required(p, 'TopicArn'), (t) => void (t.Attributes[name] = value));
      return undefined;
    },
    Subscribe: async (p) => {
      const s = await store.subscribe(required(p, 'TopicArn'), required(p, 'Protocol'), p.get('Endpoint') ?? '', attributeMap(p));
      const showArn = !s.PendingConfirmation || p.get('ReturnSubscriptionArn') === 'true';
      return { SubscriptionArn: showArn ? s.SubscriptionArn : 'pending confirmation' };
    },
    Unsubscribe: async (p) => void (await store.unsubscribe(required(p, 'SubscriptionArn'))),
    ListSubscriptions: async () => ({ Subscriptions: members((await store.listSubscriptions()).map(subscriptionXml)) }),
    ListSubscriptionsByTopic: async (p) => {
      await store.getTopic(required(p, 'TopicArn'));
      return { Subscriptions: members((await store.listSubscriptions(p.get('TopicArn'))).map(subscriptionXml)) };
    },
    GetSubscriptionAttributes: async (p) => {
      const s = await store.getSubscription(required(p, 'SubscriptionArn'));
      return {
        Attributes: entries({
          ...s.Attributes,
          SubscriptionArn: s.SubscriptionArn,
          TopicArn: s.TopicArn,
          Protocol: s.Protocol,
          Endpoint: s.Endpoint,
          Owner: s.Owner,
          PendingConfirmation: String(s.PendingConfirmation),
          ConfirmationWasAuthenticated: String(!s.PendingConfirmation),
        }),
      };
    },
    SetSubscriptionAttributes: async (p) => {
      const [name, value] = [required(p, 'AttributeName'), p.get('AttributeValue') ?? ''];
      await store.updateSubscription(required(p, 'SubscriptionArn'), (s) => void (s.Attributes[name] = value));
      return undefined;
    },
    Publish: async (p) => {
      const topic = await store.getTopic(required(p, 'TopicArn'));
      const messageId = randomUUID();
      const message = required(p, 'Message');
      for (const s of await store.listSubscriptions(topic.TopicArn)) {
        if (!s.PendingConfirmation) await deliver(s, messageId, message, p.get('Subject'));
      }
      return { MessageId: messageId };
    },
    TagResource: async (p) => {
      const added = tags(p);
      await store.updateTopic(required(p, 'ResourceArn'), (t) => {
        t.Tags = mergeTags(t.Tags, added);
      });
      return {};
    },
    UntagResource: async (p) => {
      const keys = [...p.entries()].filter(([k]) => k.startsWith('TagKeys.member.')).map(([, v]) => v);
      await store.updateTopic(required(p, 'ResourceArn'), (t) => void (t.Tags = t.Tags.filter((x) => !keys.includes(x.Key))));
      return {};
    },
    ListTagsForResource: async (p) => ({ Tags: members((await store.getTopic(required(p, 'ResourceArn'))).Tags) }),
  };

  async function deliver(s: Subscription, messageId: string, message: string, subject: string | undefined): Promise<void> {
    const envelope = {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: s.TopicArn,
      ...(subject ? { Subject: subject } : {}),
      Message: message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: 'tap-local-unsigned',
      SigningCertURL: `${ctx.endpoint()}/_tap/sns/cert.pem`,
      UnsubscribeURL: `${ctx.endpoint()}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.SubscriptionArn)}`,
    };
    try {
      if (s.Protocol === 'sqs') {
        const body = s.Attributes.RawMessageDelivery === 'true' ? message : JSON.stringify(envelope);
        await ctx.service<SqsApi>('sqs').sendByArn(s.Endpoint, body);
      } else if (s.Protocol === 'lambda') {
        const event = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: s.SubscriptionArn, Sns: envelope }] };
        await ctx.service<LambdaApi>('lambda').invokeAsyncByArn(s.Endpoint, JSON.stringify(event));
      }
    } catch (error) {
      // As on AWS, a failed delivery does not fail the Publish.
      console.error(`[tap local] SNS delivery to ${s.Endpoint} failed: ${(error as Error).message}`);
    }
  }

  return {
    name: 'sns',
    store,
    async handle(req: ServiceRequest, res: ServerResponse) {
      const params = parseQueryParams((await req.body()).toString('utf8'), req.url);
      const action = params.get('Action') ?? '';
      ctx.faults.maybeFail('sns', action);
      const operation = operations[action];
      if (!operation) throw new AwsError('InvalidAction', `tap local's SNS does not implement ${action || '(no Action)'}.`);
      sendQueryResult(res, req.requestId, action, await operation(params, req), XMLNS);
    },
    sendError(req, res, error) {
      sendQueryError(res, req.requestId, error, XMLNS);
    },
    reset: () => store.reset(),
  };
}

function attributeMap(p: Params): Record<string, string> {
  return Object.fromEntries(queryStructList(p, 'Attributes.entry').map((e) => [e.key ?? '', e.value ?? '']));
}


function subscriptionXml(s: Subscription) {
  return {
    SubscriptionArn: s.PendingConfirmation ? 'PendingConfirmation' : s.SubscriptionArn,
    Owner: s.Owner,
    Protocol: s.Protocol,
    Endpoint: s.Endpoint,
    TopicArn: s.TopicArn,
  };
}
