/**
 * Custom resources. CDK's two common ones are done natively (their handlers are inline Python on
 * AWS): Custom::S3BucketNotifications (puts the bucket's notification configuration, merging with
 * external ones when the bucket is not managed by the stack) and Custom::S3AutoDeleteObjects (empties
 * a bucket tagged `aws-cdk:auto-delete-objects` when the resource is deleted). Any other Custom::* or
 * AWS::CloudFormation::CustomResource is sent to its Lambda ServiceToken as AWS does — an Event
 * invocation — and its answer is awaited on the local ResponseURL (cfn-response.ts).
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../errors.js';
import type { LocalLambda } from '../../lambda/service.js';
import type { NotificationConfig, NotificationTarget } from '../../s3/notification-config.js';
import { expectResponse } from '../cfn-response.js';
import { s3 } from './s3.js';
import { notificationFromApi } from './s3-config.js';
import { bool, isNotFound, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const sameTarget = (a: NotificationTarget, b: NotificationTarget) =>
  a.kind === b.kind && a.arn === b.arn && JSON.stringify(a.events) === JSON.stringify(b.events) &&
  JSON.stringify(a.rules.map((r) => [r.Name.toLowerCase(), r.Value])) === JSON.stringify(b.rules.map((r) => [r.Name.toLowerCase(), r.Value]));

async function putNotifications(ctx: ProviderContext, props: Props, old: Props | undefined, deleting: boolean): Promise<void> {
  const { store, notifier } = s3(ctx);
  const bucket = String(props.BucketName);
  const mine = deleting ? { targets: [], eventBridge: false } : notificationFromApi(props.NotificationConfiguration);
  let config: NotificationConfig = mine;
  if (!bool(props.Managed ?? true)) {
    // Not the stack's bucket: keep the configurations someone else put there.
    const previous = notificationFromApi((deleting ? props : old)?.NotificationConfiguration).targets;
    const existing = store.bucket(bucket).notification?.targets ?? [];
    const external = existing.filter((t) => !previous.some((p) => sameTarget(p, t)) && !mine.targets.some((m) => sameTarget(m, t)));
    config = { targets: [...external, ...mine.targets], eventBridge: mine.eventBridge || (store.bucket(bucket).notification?.eventBridge ?? false) };
  }
  await notifier.configure(bucket, config, { requestId: randomUUID(), hostId: 'cloudformation' }, { skipValidation: bool(props.SkipDestinationValidation ?? false) });
}

export const bucketNotifications: ResourceProvider = {
  async create(props, ctx) {
    await putNotifications(ctx, props, undefined, false);
    return { physicalId: ctx.logicalId };
  },
  async update(id, props, old, ctx) {
    await putNotifications(ctx, props, old.properties, false);
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    try {
      await putNotifications(ctx, props, undefined, true);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

const AUTO_DELETE_TAG = 'aws-cdk:auto-delete-objects';

export const autoDeleteObjects: ResourceProvider = {
  async create() {
    return { physicalId: randomUUID() };
  },
  // CDK's handler answers an update with the bucket's name: a new name means a new physical id, so
  // CloudFormation deletes the old one — which empties the old bucket before that bucket goes.
  async update(_id, props) {
    return { physicalId: String(props.BucketName) };
  },
  async delete(_id, props, ctx) {
    const { store } = s3(ctx);
    const name = String(props.BucketName);
    if (!store.hasBucket(name)) return;
    const tagging = store.bucket(name).configs.tagging as { TagSet?: { Tag?: Props | Props[] } } | undefined;
    const tags = [tagging?.TagSet?.Tag ?? []].flat() as Props[];
    if (!tags.some((t) => t.Key === AUTO_DELETE_TAG && String(t.Value) === 'true')) return;
    const bucket = store.bucket(name);
    for (const key of [...bucket.index.keys()]) {
      for (const version of [...bucket.index.versionsOf(key)]) await store.objects.delete(name, key, version.versionId);
    }
  },
};

/** Any other custom resource: the cfn-response protocol against the local Lambda runner. */
export const lambdaBacked: ResourceProvider = {
  async create(props, ctx) {
    const r = await invoke(ctx, 'Create', props);
    return { physicalId: r.physicalId, attributes: r.data };
  },
  async update(id, props, old, ctx) {
    if (props.ServiceToken !== old.properties.ServiceToken) {
      throw new AwsError('ValidationError', 'Modifying service token is not allowed.');
    }
    const r = await invoke(ctx, 'Update', props, { PhysicalResourceId: id, OldResourceProperties: old.properties });
    return { physicalId: r.physicalId, attributes: r.data };
  },
  async delete(id, props, ctx) {
    await invoke(ctx, 'Delete', props, { PhysicalResourceId: id });
  },
};

async function invoke(ctx: ProviderContext, type: 'Create' | 'Update' | 'Delete', props: Props, extra: Props = {}): Promise<{ physicalId: string; data: Record<string, unknown> }> {
  const token = String(props.ServiceToken ?? '');
  if (!/^arn:aws[a-z-]*:lambda:/.test(token)) {
    throw new AwsError('ValidationError', `tap local runs custom resources backed by Lambda functions only; ServiceToken ${token || '(none)'} is not a function ARN.`);
  }
  const lambda = ctx.local.service<LocalLambda>('lambda');
  const fn = lambda.functions.get(ctx.region, token);
  // AWS waits up to an hour; the handler gets its timeout for each of the Event invocation's 3 tries.
  const timeoutMs = Math.min(3600, fn.config.Timeout * 3 + 30) * 1000;
  const { url, response } = expectResponse(ctx.local.endpoint(), timeoutMs);
  const requestId = randomUUID();
  const event = {
    RequestType: type,
    ServiceToken: token,
    ResponseURL: url,
    StackId: ctx.stackId,
    RequestId: requestId,
    LogicalResourceId: ctx.logicalId,
    ResourceType: ctx.resourceType,
    ResourceProperties: props,
    ...extra,
  };
  await lambda.invokeAsyncByArn(lambda.functions.arn(fn), JSON.stringify(event));
  const answer = await response;
  if (answer.Status !== 'SUCCESS') {
    throw new AwsError('CustomResourceFailure', `Received response status [FAILED] from custom resource. Message returned: ${answer.Reason ?? 'no reason given'}`);
  }
  const physicalId = answer.PhysicalResourceId ?? (extra.PhysicalResourceId as string | undefined);
  if (!physicalId) throw new AwsError('CustomResourceFailure', 'Invalid PhysicalResourceId: the custom resource response has none.');
  return { physicalId, data: answer.Data ?? {} };
}
