import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib/core';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PREFIX } from '../handlers/contract.js';

export interface UploadBucketProps {
  readonly envName: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The bucket users upload to. Its name is deterministic per env/account/region, so the queue policy
 * can name it without a reference (a reference would make a cycle: bucket → notification → queue
 * policy → bucket) and so `tap` can find it even before it has read the stack's outputs.
 */
export class UploadBucket extends Construct {
  readonly bucket: Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucketName = `tap-${props.envName}-uploads-${stack.account}-${stack.region}`;
    this.bucketArn = `arn:${stack.partition}:s3:::${this.bucketName}`;

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: this.bucketName,
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
        },
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          id: 'expire-quarantine',
          prefix: PREFIX.quarantine,
          expiration: Duration.days(30),
        },
        {
          // The big-file map runs' result manifests: worth reading for a while after a run, no longer.
          id: 'expire-map-results',
          prefix: PREFIX.mapResults,
          expiration: Duration.days(30),
        },
      ],
    });
  }
}
