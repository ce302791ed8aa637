import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsError } from '../../errors.js';
import { removeIfExists } from '../../storage.js';
import { RecordStore } from '../records.js';

export interface Topic {
  TopicArn: string;
  Name: string;
  Attributes: Record<string, string>;
  Tags: Array<{ Key: string; Value: string }>;
}

export interface Subscription {
  SubscriptionArn: string;
  TopicArn: string;
  Protocol: string;
  Endpoint: string;
  Owner: string;
  /** Email and HTTP(S) endpoints would have to confirm; tap local cannot reach them. */
  PendingConfirmation: boolean;
  Attributes: Record<string, string>;
}

const notFound = (what: string) => new AwsError('NotFound', `${what} does not exist`, 404);

/** SNS topics and subscriptions of one account, all regions (ARNs carry the region). */
export class SnsStore {
  private readonly topics: RecordStore<Topic>;
  private readonly subscriptions: RecordStore<Subscription>;

  constructor(
    private readonly dir: string,
    private readonly accountId: string,
  ) {
    this.topics = new RecordStore(join(dir, 'topics'), 'SNS topic');
    this.subscriptions = new RecordStore(join(dir, 'subscriptions'), 'SNS subscription');
  }

  /** Idempotent for the same name, as AWS: returns the existing topic. */
  async createTopic(region: string, name: string, attributes: Record<string, string> = {}, tags: Topic['Tags'] = []): Promise<Topic> {
    const fifo = attributes.FifoTopic === 'true';
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(fifo ? name.replace(/\.fifo$/, '') : name) || (fifo && !name.endsWith('.fifo'))) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: Topic Name');
    }
    const arn = `arn:aws:sns:${region}:${this.accountId}:${name}`;
    const existing = await this.topics.get(arn);
    if (existing) return existing;
    const topic: Topic = {
      TopicArn: arn,
      Name: name,
      Attributes: {
        TopicArn: arn,
        Owner: this.accountId,
        DisplayName: '',
        Policy: JSON.stringify(defaultPolicy(arn, this.accountId)),
        ...attributes,
      },
      Tags: tags,
    };
    await this.topics.put(arn, topic);
    return topic;
  }

  async getTopic(arn: string): Promise<Topic> {
    const topic = await this.topics.get(arn);
    if (!topic) throw notFound('Topic');
    return topic;
  }

  async updateTopic(arn: string, change: (topic: Topic) => void): Promise<Topic> {
    const topic = await this.getTopic(arn);
    change(topic);
    await this.topics.put(arn, topic);
    return topic;
  }

  /** Deleting a topic that does not exist succeeds, as on AWS; its subscriptions go with it. */
  async deleteTopic(arn: string): Promise<void> {
    await this.topics.delete(arn);
    for (const s of await this.listSubscriptions(arn)) await this.subscriptions.delete(s.SubscriptionArn);
  }

  listTopics(): Promise<Topic[]> {
    return this.topics.list();
  }

  async subscribe(topicArn: string, protocol: string, endpoint: string, attributes: Record<string, string> = {}): Promise<Subscription> {
    await this.getTopic(topicArn);
    if (!['sqs', 'lambda', 'email', 'email-json', 'http', 'https', 'sms', 'application', 'firehose'].includes(protocol)) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: Amazon SNS does not support this protocol string');
    }
    const same = (await this.listSubscriptions(topicArn)).find((s) => s.Protocol === protocol && s.Endpoint === endpoint);
    if (same) return same;
    const subscription: Subscription = {
      SubscriptionArn: `${topicArn}:${randomUUID()}`,
      TopicArn: topicArn,
      Protocol: protocol,
      Endpoint: endpoint,
      Owner: this.accountId,
      PendingConfirmation: ['email', 'email-json', 'http', 'https'].includes(protocol),
      Attributes: attributes,
    };
    await this.subscriptions.put(subscription.SubscriptionArn, subscription);
    return subscription;
  }

  async getSubscription(arn: string): Promise<Subscription> {
    const s = await this.subscriptions.get(arn);
    if (!s) throw notFound('Subscription');
    return s;
  }

  async updateSubscription(arn: string, change: (s: Subscription) => void): Promise<void> {
    const s = await this.getSubscription(arn);
    change(s);
    await this.subscriptions.put(arn, s);
  }

  async unsubscribe(arn: string): Promise<void> {
    await this.subscriptions.delete(arn);
  }

  async listSubscriptions(topicArn?: string): Promise<Subscription[]> {
    const all = await this.subscriptions.list();
    return topicArn ? all.filter((s) => s.TopicArn === topicArn) : all;
  }

  reset(): Promise<void> {
    return removeIfExists(this.dir);
  }
}

function defaultPolicy(arn: string, account: string) {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  };
}
