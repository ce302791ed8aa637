/**
 * Bucket configurations that S3 stores and returns but whose effect the local AWS does not apply
 * (policies are not enforced, lifecycle rules do not expire objects, CORS is not answered). Each is kept
 * as the tree of its XML document (element names as keys, as parseXml gives it), so what a client puts
 * is what it gets back; the CloudFormation engine passes the same shape. The policy is its JSON text.
 */
import { AwsError } from '../../errors.js';
import { asArray, parseXml } from '../../protocols/xml.js';
import { invalidArgument, malformedXml } from './errors.js';

export type XmlTree = Record<string, unknown>;

interface ConfigKind {
  /** The document's root element. */
  readonly root: string;
  /** The error GET answers when there is none (and no default). */
  readonly missing?: readonly [code: string, message: string];
  /** What a new bucket has (S3 applies these to every bucket created since 2023). */
  readonly initial?: XmlTree;
  /** What GET returns after DELETE, if not "missing". */
  readonly fallback?: XmlTree;
  validate(tree: XmlTree): void;
}

const SSE_S3: XmlTree = { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: 'false' } };

export const CONFIG_KINDS = {
  encryption: {
    root: 'ServerSideEncryptionConfiguration',
    // Every bucket is encrypted with SSE-S3 by default since January 2023; deleting the configuration restores that.
    fallback: SSE_S3,
    validate(tree) {
      const rules = asArray(tree['Rule'] as XmlTree | XmlTree[]);
      if (rules.length === 0) throw malformedXml();
      for (const rule of rules) {
        const algorithm = (rule['ApplyServerSideEncryptionByDefault'] as XmlTree | undefined)?.['SSEAlgorithm'];
        if (algorithm !== undefined && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(String(algorithm))) throw malformedXml();
      }
    },
  },
  publicAccessBlock: {
    root: 'PublicAccessBlockConfiguration',
    missing: ['NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'],
    initial: { BlockPublicAcls: 'true', IgnorePublicAcls: 'true', BlockPublicPolicy: 'true', RestrictPublicBuckets: 'true' },
    validate(tree) {
      for (const value of Object.values(tree)) if (!['true', 'false'].includes(String(value))) throw malformedXml();
    },
  },
  ownershipControls: {
    root: 'OwnershipControls',
    missing: ['OwnershipControlsNotFoundError', 'The bucket ownership controls were not found'],
    initial: { Rule: { ObjectOwnership: 'BucketOwnerEnforced' } },
    validate(tree) {
      const rules = asArray(tree['Rule'] as XmlTree | XmlTree[]);
      if (rules.length !== 1) throw malformedXml();
      if (!OWNERSHIPS.includes(String(rules[0]!['ObjectOwnership']))) throw malformedXml();
    },
  },
  lifecycle: {
    root: 'LifecycleConfiguration',
    missing: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
    validate(tree) {
      const rules = asArray(tree['Rule'] as XmlTree | XmlTree[]);
      if (rules.length === 0 || rules.length > 1000) throw malformedXml();
      const ids = new Set<string>();
      for (const rule of rules) {
        if (!['Enabled', 'Disabled'].includes(String(rule['Status']))) throw malformedXml();
        const id = rule['ID'] === undefined ? undefined : String(rule['ID']);
        if (id !== undefined && id.length > 255) throw invalidArgument('ID length should not exceed allowed limit of 255', 'ID', id);
        if (id !== undefined && ids.has(id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', id);
        if (id !== undefined) ids.add(id);
      }
    },
  },
  tagging: {
    root: 'Tagging',
    missing: ['NoSuchTagSet', 'The TagSet does not exist'],
    validate(tree) {
      validateTags(asArray((tree['TagSet'] as XmlTree | undefined)?.['Tag'] as XmlTree | XmlTree[]), 50);
    },
  },
  cors: {
    root: 'CORSConfiguration',
    missing: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
    validate(tree) {
      const rules = asArray(tree['CORSRule'] as XmlTree | XmlTree[]);
      if (rules.length === 0 || rules.length > 100) throw malformedXml();
      for (const rule of rules) if (rule['AllowedMethod'] === undefined || rule['AllowedOrigin'] === undefined) throw malformedXml();
    },
  },
} satisfies Record<string, ConfigKind>;

export type ConfigName = keyof typeof CONFIG_KINDS | 'policy';

export const OWNERSHIPS = ['BucketOwnerPreferred', 'ObjectWriter', 'BucketOwnerEnforced'];

/** Tags as S3 checks them on buckets and objects. */
export function validateTags(tags: ReadonlyArray<Record<string, unknown>>, max: number): Array<{ Key: string; Value: string }> {
  if (tags.length > max) {
    throw new AwsError('BadRequest', max === 10 ? 'Object tags cannot be greater than 10' : 'Bucket tag count cannot be greater than 50');
  }
  const seen = new Set<string>();
  return tags.map((tag) => {
    const key = String(tag['Key'] ?? '');
    const value = String(tag['Value'] ?? '');
    if (seen.has(key)) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400, { fields: { TagKey: key } });
    if (key.length < 1 || key.length > 128) throw new AwsError('InvalidTag', 'The TagKey you have provided is invalid', 400, { fields: { TagKey: key } });
    if (value.length > 256) throw new AwsError('InvalidTag', 'The TagValue you have provided is invalid', 400, { fields: { TagKey: key, TagValue: value } });
    seen.add(key);
    return { Key: key, Value: value };
  });
}

export function validatePolicy(text: string): void {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicy', 'Policies must be valid JSON and the first byte must be \'{\'');
  }
  if (typeof policy !== 'object' || policy === null || !('Statement' in policy)) {
    throw new AwsError('MalformedPolicy', 'Missing required field Statement');
  }
}

/** A configuration document's tree from its XML body; MalformedXML if it is not that document. */
export function parseConfigXml(text: string, root: string): XmlTree {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(text);
  } catch {
    throw malformedXml();
  }
  const tree = doc[root];
  if (tree === undefined) throw malformedXml();
  if (tree === '') return {};
  if (typeof tree !== 'object' || tree === null) throw malformedXml();
  const { ['@_xmlns']: _xmlns, ...rest } = tree as XmlTree;
  return rest;
}
