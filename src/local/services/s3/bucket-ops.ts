/**
 * Bucket operations: create (location constraints and us-east-1's legacy "already yours" 200), head,
 * delete, list, location, versioning, ACLs (ownership-enforced buckets refuse them), notifications.
 */
import { AwsError } from '../../errors.js';
import { asArray } from '../../protocols/xml.js';
import { parseConfigXml } from './configs.js';
import { eventSource, ownerOf, readXml, sendEmpty, sendXml, xmlDate, type Handler, type Op } from './http.js';
import { maxKeysParam } from './listing.js';
import { notificationToXml, parseNotificationXml } from './notification-config.js';
import type { Versioning } from './store.js';

export const createBucket: Handler = async (op) => {
  const body = (await op.req.body()).toString('utf8').trim();
  const constraint = body ? String(parseConfigXml(body, 'CreateBucketConfiguration')['LocationConstraint'] ?? '') || undefined : undefined;
  if (constraint === 'us-east-1') {
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { fields: { LocationConstraint: constraint } });
  }
  const region = constraint ?? 'us-east-1';
  const requestRegion = op.req.region;
  // The us-east-1 endpoint creates buckets anywhere; a regional endpoint only in its own region.
  if (requestRegion !== 'us-east-1' && region !== requestRegion) {
    throw new AwsError(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const objectOwnership = op.req.header('x-amz-object-ownership');
  const acl = op.req.header('x-amz-acl');
  if (acl && acl !== 'private' && (objectOwnership ?? 'BucketOwnerEnforced') === 'BucketOwnerEnforced') {
    throw new AwsError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  }
  try {
    await op.store.createBucket(op.bucket, { region, ...(objectOwnership !== undefined && { objectOwnership }) });
  } catch (error) {
    // Legacy behaviour: in us-east-1, re-creating your own us-east-1 bucket answers 200 and changes nothing.
    const legacy = (error as AwsError).code === 'BucketAlreadyOwnedByYou' && requestRegion === 'us-east-1' && !constraint;
    if (!legacy || op.store.bucket(op.bucket).region !== 'us-east-1') throw error;
  }
  sendEmpty(op, 200, { location: `/${op.bucket}` });
};

export const headBucket: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  sendEmpty(op, 200, { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' });
};

export const deleteBucket: Handler = async (op) => {
  await op.store.deleteBucket(op.bucket);
  sendEmpty(op, 204);
};

export const listBuckets: Handler = async (op) => {
  const prefix = op.query.get('prefix') ?? '';
  const region = op.query.get('bucket-region');
  const max = op.query.has('max-buckets') ? maxKeysParam(op.query.get('max-buckets'), 'max-buckets') : Infinity;
  const after = op.query.get('continuation-token');
  const matching = op.store
    .listBuckets()
    .filter((b) => b.name.startsWith(prefix) && (!region || b.region === region) && (!after || b.name > after));
  const page = matching.slice(0, max);
  const truncated = page.length < matching.length;
  sendXml(op, 'ListAllMyBucketsResult', {
    Owner: ownerOf(op),
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: xmlDate(b.createdAt), BucketRegion: b.region })) },
    ...(truncated && { ContinuationToken: page.at(-1)!.name }),
    ...(op.query.has('prefix') && { Prefix: prefix }),
  });
};

export const getBucketLocation: Handler = async (op) => {
  const { region } = op.store.bucket(op.bucket);
  // us-east-1 is reported as an empty constraint, for compatibility with the oldest clients.
  sendXml(op, 'LocationConstraint', region === 'us-east-1' ? {} : { '#text': region });
};

export const getBucketVersioning: Handler = async (op) => {
  const { versioning } = op.store.bucket(op.bucket);
  sendXml(op, 'VersioningConfiguration', versioning ? { Status: versioning } : {});
};

export const putBucketVersioning: Handler = async (op) => {
  op.store.bucket(op.bucket);
  const tree = await readXml(op, 'VersioningConfiguration');
  await op.store.setVersioning(op.bucket, String(tree['Status'] ?? '') as Versioning);
  sendEmpty(op);
};

export const getBucketAcl: Handler = async (op) => {
  op.store.bucket(op.bucket);
  sendAcl(op);
};

export const getObjectAcl: Handler = async (op) => {
  op.store.objects.resolve(op.bucket, op.key, op.query.get('versionId') ?? undefined);
  sendAcl(op);
};

function sendAcl(op: Op): void {
  const owner = ownerOf(op);
  sendXml(op, 'AccessControlPolicy', {
    Owner: owner,
    AccessControlList: {
      Grant: {
        Grantee: { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'CanonicalUser', ...owner },
        Permission: 'FULL_CONTROL',
      },
    },
  });
}

/** PutBucketAcl / PutObjectAcl: accepted (not enforced) unless the bucket has ACLs disabled. */
export const putAcl: Handler = async (op) => {
  assertAclsAllowed(op, op.req.header('x-amz-acl') ?? 'custom');
  if (op.key) op.store.objects.resolve(op.bucket, op.key, op.query.get('versionId') ?? undefined);
  sendEmpty(op);
};

/** With BucketOwnerEnforced ownership, S3 refuses any ACL but the ones equivalent to "owner only". */
export function assertAclsAllowed(op: Op, acl: string | undefined): void {
  if (acl === undefined || acl === 'private' || acl === 'bucket-owner-full-control') return;
  const controls = op.store.bucket(op.bucket).configs.ownershipControls as { Rule?: { ObjectOwnership?: string } } | undefined;
  const ownership = asArray(controls?.Rule)[0]?.ObjectOwnership;
  if (ownership === 'BucketOwnerEnforced') {
    throw new AwsError('AccessControlListNotSupported', 'The bucket does not allow ACLs');
  }
}

export const putBucketNotification: Handler = async (op) => {
  op.store.bucket(op.bucket);
  const config = parseNotificationXml(await readXml(op, 'NotificationConfiguration'));
  const skipValidation = op.req.header('x-amz-skip-destination-validation') === 'true';
  await op.notifier.configure(op.bucket, config, eventSource(op), { skipValidation });
  sendEmpty(op);
};

export const getBucketNotification: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  sendXml(op, 'NotificationConfiguration', notificationToXml(bucket.notification));
};
