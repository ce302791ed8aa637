/**
 * Put/Get/Delete of the stored-not-applied bucket configurations (configs.ts), and the answers S3
 * gives for configurations the local AWS never has (website, replication, object lock, …).
 */
import { AwsError } from '../../errors.js';
import { CONFIG_KINDS, type ConfigName, type XmlTree } from './configs.js';
import { readXml, sendEmpty, sendXml, type Handler, type Op } from './http.js';
import { verifyBufferedBody } from './ingest.js';

/** Query subresource → configuration. */
export const CONFIG_SUBRESOURCES: Record<string, ConfigName> = {
  policy: 'policy',
  encryption: 'encryption',
  publicAccessBlock: 'publicAccessBlock',
  lifecycle: 'lifecycle',
  tagging: 'tagging',
  ownershipControls: 'ownershipControls',
  cors: 'cors',
};

const LIFECYCLE_HEADER = { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' };

export function configHandlers(kind: ConfigName): { put: Handler; get: Handler; delete: Handler } {
  return {
    async put(op) {
      op.store.bucket(op.bucket);
      const value: XmlTree | string = kind === 'policy' ? await readPolicy(op) : await readXml(op, CONFIG_KINDS[kind].root);
      await op.store.putBucketConfig(op.bucket, kind, value);
      // PutBucketPolicy and PutBucketTagging answer 204; the others 200.
      sendEmpty(op, kind === 'policy' || kind === 'tagging' ? 204 : 200, kind === 'lifecycle' ? LIFECYCLE_HEADER : {});
    },
    async get(op) {
      const value = op.store.getBucketConfig(op.bucket, kind);
      if (typeof value === 'string') return sendJson(op, value);
      sendXml(op, CONFIG_KINDS[kind as Exclude<ConfigName, 'policy'>].root, value, kind === 'lifecycle' ? LIFECYCLE_HEADER : {});
    },
    async delete(op) {
      op.store.bucket(op.bucket);
      await op.store.deleteBucketConfig(op.bucket, kind);
      sendEmpty(op, 204);
    },
  };
}

async function readPolicy(op: Op): Promise<string> {
  const body = await op.req.body();
  verifyBufferedBody(op.req, body);
  return body.toString('utf8');
}

function sendJson(op: Op, text: string): void {
  op.res.writeHead(200, {
    'x-amz-request-id': op.req.requestId,
    'x-amz-id-2': op.hostId,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  op.res.end(text);
}

/** Configurations the local AWS does not support: GET answers as S3 does for a bucket without one. */
export const ABSENT_CONFIGS: Record<string, Handler> = {
  website: absent('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'),
  replication: absent('ReplicationConfigurationNotFoundError', 'The replication configuration was not found'),
  'object-lock': absent('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'),
  async logging(op) {
    op.store.bucket(op.bucket);
    sendXml(op, 'BucketLoggingStatus', {});
  },
  async accelerate(op) {
    op.store.bucket(op.bucket);
    sendXml(op, 'AccelerateConfiguration', {});
  },
  async requestPayment(op) {
    op.store.bucket(op.bucket);
    sendXml(op, 'RequestPaymentConfiguration', { Payer: 'BucketOwner' });
  },
  async policyStatus(op) {
    op.store.getBucketConfig(op.bucket, 'policy');
    sendXml(op, 'PolicyStatus', { IsPublic: 'false' });
  },
};

function absent(code: string, message: string): Handler {
  return async (op) => {
    op.store.bucket(op.bucket);
    throw new AwsError(code, message, 404, { fields: { BucketName: op.bucket } });
  };
}
