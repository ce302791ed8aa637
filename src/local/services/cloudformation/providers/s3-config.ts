/**
 * AWS::S3::Bucket properties → the configuration documents the S3 store keeps (the trees of S3's XML
 * documents, values as strings, as PutBucket* would store them) and its notification form.
 */
import type { NotificationConfig, NotificationTarget } from '../../s3/notification-config.js';
import type { Props } from './types.js';

type Tree = Record<string, unknown>;
const str = (v: unknown) => String(v);
const defined = (o: Tree): Tree => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function encryptionTree(props: Props): Tree | undefined {
  const rules = (props.BucketEncryption as Props | undefined)?.ServerSideEncryptionConfiguration as Props[] | undefined;
  if (!rules?.length) return undefined;
  return {
    Rule: rules.map((r) =>
      defined({
        ApplyServerSideEncryptionByDefault: r.ServerSideEncryptionByDefault
          ? defined({ SSEAlgorithm: r.ServerSideEncryptionByDefault.SSEAlgorithm, KMSMasterKeyID: r.ServerSideEncryptionByDefault.KMSMasterKeyID })
          : undefined,
        BucketKeyEnabled: r.BucketKeyEnabled === undefined ? undefined : str(r.BucketKeyEnabled),
      }),
    ),
  };
}

export function publicAccessBlockTree(props: Props): Tree | undefined {
  const p = props.PublicAccessBlockConfiguration as Props | undefined;
  if (!p) return undefined;
  const keys = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];
  return Object.fromEntries(keys.map((k) => [k, str(p[k] ?? false)]));
}

export function ownershipTree(props: Props): Tree | undefined {
  const rule = ((props.OwnershipControls as Props | undefined)?.Rules as Props[] | undefined)?.[0];
  return rule ? { Rule: { ObjectOwnership: rule.ObjectOwnership } } : undefined;
}

export function taggingTree(props: Props): Tree | undefined {
  const tags = (props.Tags ?? []) as Props[];
  return tags.length ? { TagSet: { Tag: tags.map((t) => ({ Key: str(t.Key), Value: str(t.Value) })) } } : undefined;
}

export function lifecycleTree(props: Props): Tree | undefined {
  const rules = (props.LifecycleConfiguration as Props | undefined)?.Rules as Props[] | undefined;
  if (!rules?.length) return undefined;
  return { Rule: rules.map(lifecycleRule) };
}

function lifecycleRule(r: Props): Tree {
  const days = (n: unknown) => (n === undefined ? undefined : str(n));
  const filter = r.Prefix !== undefined || !r.TagFilters?.length
    ? { Prefix: r.Prefix ?? '' }
    : { And: defined({ Prefix: r.Prefix, Tag: r.TagFilters.map((t: Props) => ({ Key: t.Key, Value: t.Value })) }) };
  const noncurrent = r.NoncurrentVersionExpiration ?? (r.NoncurrentVersionExpirationInDays !== undefined ? { NoncurrentDays: r.NoncurrentVersionExpirationInDays } : undefined);
  return defined({
    ID: r.Id,
    Filter: defined({ ...filter, ObjectSizeGreaterThan: days(r.ObjectSizeGreaterThan), ObjectSizeLessThan: days(r.ObjectSizeLessThan) }),
    Status: r.Status,
    Expiration: r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined || r.ExpiredObjectDeleteMarker !== undefined
      ? defined({ Days: days(r.ExpirationInDays), Date: r.ExpirationDate, ExpiredObjectDeleteMarker: r.ExpiredObjectDeleteMarker === undefined ? undefined : str(r.ExpiredObjectDeleteMarker) })
      : undefined,
    Transition: (r.Transitions as Props[] | undefined)?.map((t) => defined({ StorageClass: t.StorageClass, Days: days(t.TransitionInDays), Date: t.TransitionDate })),
    NoncurrentVersionTransition: (r.NoncurrentVersionTransitions as Props[] | undefined)?.map((t) => defined({ StorageClass: t.StorageClass, NoncurrentDays: days(t.TransitionInDays), NewerNoncurrentVersions: days(t.NewerNoncurrentVersions) })),
    NoncurrentVersionExpiration: noncurrent ? defined({ NoncurrentDays: days(noncurrent.NoncurrentDays), NewerNoncurrentVersions: days(noncurrent.NewerNoncurrentVersions) }) : undefined,
    AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload ? { DaysAfterInitiation: days(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) } : undefined,
  });
}

export function corsTree(props: Props): Tree | undefined {
  const rules = (props.CorsConfiguration as Props | undefined)?.CorsRules as Props[] | undefined;
  if (!rules?.length) return undefined;
  return {
    CORSRule: rules.map((r) =>
      defined({
        ID: r.Id,
        AllowedHeader: r.AllowedHeaders,
        AllowedMethod: r.AllowedMethods,
        AllowedOrigin: r.AllowedOrigins,
        ExposeHeader: r.ExposedHeaders,
        MaxAgeSeconds: r.MaxAge === undefined ? undefined : str(r.MaxAge),
      }),
    ),
  };
}

const KINDS = [
  ['QueueConfigurations', 'queue', 'Queue'],
  ['LambdaConfigurations', 'lambda', 'Function'],
  ['TopicConfigurations', 'topic', 'Topic'],
] as const;

/** CloudFormation's NotificationConfiguration (one Event per entry, Filter.S3Key.Rules). */
export function notificationFromTemplate(props: Props): NotificationConfig {
  const n = (props.NotificationConfiguration ?? {}) as Props;
  const targets: NotificationTarget[] = KINDS.flatMap(([list, kind, arnKey]) =>
    ((n[list] ?? []) as Props[]).map((c) => ({
      id: '',
      kind,
      arn: String(c[arnKey]),
      events: [String(c.Event)],
      rules: ((c.Filter?.S3Key?.Rules ?? []) as Props[]).map((r) => ({ Name: r.Name, Value: String(r.Value) })),
    })),
  );
  return { targets, eventBridge: n.EventBridgeConfiguration?.EventBridgeEnabled === true || n.EventBridgeConfiguration?.EventBridgeEnabled === 'true' };
}

const API_KINDS = [
  ['QueueConfigurations', 'queue', 'QueueArn'],
  ['LambdaFunctionConfigurations', 'lambda', 'LambdaFunctionArn'],
  ['TopicConfigurations', 'topic', 'TopicArn'],
] as const;

/** The S3 API's shape (what CDK's Custom::S3BucketNotifications passes: Events[], Filter.Key.FilterRules). */
export function notificationFromApi(config: Props | undefined): NotificationConfig {
  const n = config ?? {};
  const targets: NotificationTarget[] = API_KINDS.flatMap(([list, kind, arnKey]) =>
    ((n[list] ?? []) as Props[]).map((c) => ({
      id: c.Id ?? '',
      kind,
      arn: String(c[arnKey]),
      events: ((c.Events ?? []) as unknown[]).map(String),
      rules: ((c.Filter?.Key?.FilterRules ?? []) as Props[]).map((r) => ({ Name: r.Name, Value: String(r.Value) })),
    })),
  );
  return { targets, eventBridge: n.EventBridgeConfiguration !== undefined };
}
