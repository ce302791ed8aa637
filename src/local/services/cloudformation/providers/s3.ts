/**
 * AWS::S3::Bucket (Ref = name; GetAtt Arn, DomainName, RegionalDomainName, DualStackDomainName,
 * WebsiteURL) and AWS::S3::BucketPolicy, through the S3 service's store and notifier. Deleting a bucket
 * that still has objects fails, as on AWS (BucketNotEmpty) — unless CDK's auto-delete empties it first.
 */
import { randomUUID } from 'node:crypto';
import type { S3Service } from '../../s3/service.js';
import type { ConfigName } from '../../s3/configs.js';
import type { BucketSettings } from '../../s3/store.js';
import * as config from './s3-config.js';
import { isNotFound, jsonDocument, type Props, type ProviderContext, type ResourceProvider } from './types.js';

export const s3 = (ctx: ProviderContext) => ctx.local.service<S3Service>('s3');

function bucketAttributes(ctx: ProviderContext, name: string): Record<string, unknown> {
  return {
    Arn: `arn:aws:s3:::${name}`,
    DomainName: `${name}.s3.amazonaws.com`,
    RegionalDomainName: `${name}.s3.${ctx.region}.amazonaws.com`,
    DualStackDomainName: `${name}.s3.dualstack.${ctx.region}.amazonaws.com`,
    WebsiteURL: `http://${name}.s3-website-${ctx.region}.amazonaws.com`,
  };
}

const CONFIGS: Array<[ConfigName, (p: Props) => Record<string, unknown> | undefined]> = [
  ['encryption', config.encryptionTree],
  ['publicAccessBlock', config.publicAccessBlockTree],
  ['ownershipControls', config.ownershipTree],
  ['lifecycle', config.lifecycleTree],
  ['tagging', config.taggingTree],
  ['cors', config.corsTree],
];

/**
 * The configurations the properties set (and, `old` given, removals of those no longer set), all
 * written in one store write: S3's Put* calls one by one would each rewrite the bucket's record.
 */
function settings(props: Props, old?: Props): BucketSettings {
  const configs: NonNullable<BucketSettings['configs']> = {};
  for (const [kind, tree] of CONFIGS) {
    const value = tree(props);
    if (value) configs[kind] = value;
    else if (old && tree(old)) configs[kind] = undefined;
  }
  const versioning = props.VersioningConfiguration?.Status ?? (old?.VersioningConfiguration?.Status === 'Enabled' ? 'Suspended' : undefined);
  return { configs, ...(versioning ? { versioning } : {}) };
}

/** Only when it changes: S3 sends its test event each time a configuration is put. */
async function notifications(ctx: ProviderContext, name: string, props: Props, old?: Props): Promise<void> {
  const changed = JSON.stringify(props.NotificationConfiguration ?? null) !== JSON.stringify(old?.NotificationConfiguration ?? null);
  if (changed) {
    await s3(ctx).notifier.configure(name, config.notificationFromTemplate(props), { requestId: randomUUID(), hostId: 'cloudformation' });
  }
}

export const bucket: ResourceProvider = {
  replaceOn: ['BucketName', 'ObjectLockEnabled'],
  nameProperty: 'BucketName',
  attributes: ['Arn', 'DomainName', 'RegionalDomainName', 'DualStackDomainName', 'WebsiteURL', 'MetadataTableConfiguration.S3TablesDestination.TableArn', 'MetadataTableConfiguration.S3TablesDestination.TableNamespace'],
  async create(props, ctx) {
    const name = props.BucketName ?? ctx.physicalName({ maxLength: 63, lowercase: true });
    const ownership = config.ownershipTree(props) as { Rule: { ObjectOwnership: string } } | undefined;
    await s3(ctx).store.createBucket(name, { region: ctx.region, ...(ownership ? { objectOwnership: ownership.Rule.ObjectOwnership } : {}) }, settings(props));
    try {
      await notifications(ctx, name, props);
    } catch (error) {
      // AWS creates the bucket with its configuration at once: a bad configuration leaves no bucket.
      await s3(ctx).store.deleteBucket(name).catch(() => undefined);
      throw error;
    }
    return { physicalId: name, attributes: bucketAttributes(ctx, name) };
  },
  async update(name, props, old, ctx) {
    await s3(ctx).store.configureBucket(name, settings(props, old.properties));
    await notifications(ctx, name, props, old.properties);
    return { physicalId: name, attributes: bucketAttributes(ctx, name) };
  },
  async delete(name, _props, ctx) {
    try {
      await s3(ctx).store.deleteBucket(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

export const bucketPolicy: ResourceProvider = {
  replaceOn: ['Bucket'],
  attributes: [],
  async create(props, ctx) {
    await s3(ctx).store.putBucketConfig(String(props.Bucket), 'policy', jsonDocument(props.PolicyDocument));
    return { physicalId: ctx.physicalName({ maxLength: 128 }) };
  },
  async update(id, props, _old, ctx) {
    await s3(ctx).store.putBucketConfig(String(props.Bucket), 'policy', jsonDocument(props.PolicyDocument));
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    try {
      await s3(ctx).store.deleteBucketConfig(String(props.Bucket), 'policy');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
