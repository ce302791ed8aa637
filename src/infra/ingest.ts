import { Duration } from 'aws-cdk-lib/core';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREFIX } from '../handlers/contract.js';

export interface IngestProps {
  readonly envName: string;
  readonly bucket: CfnBucket;
  readonly bucketArn: string;
  readonly sourceAccount: string;
  /** The processor's timeout; the queue's visibility timeout is six times it, as AWS advises. */
  readonly functionTimeout: Duration;
  readonly maxReceiveCount: number;
}

/**
 * S3 → SQS: the ingest queue with its dead-letter queue, and the bucket's own notification
 * configuration (no Custom::S3BucketNotifications, so no custom resource and no extra Lambda).
 */
export class Ingest extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `tap-${props.envName}-ingest-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'Queue', {
      queueName: `tap-${props.envName}-ingest`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.functionTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    // Only this bucket, in this account, may send.
    const { policyDependable } = this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowUploadBucketNotifications',
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': props.bucketArn },
          StringEquals: { 'aws:SourceAccount': props.sourceAccount },
        },
      }),
    );

    props.bucket.notificationConfiguration = {
      queueConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          queue: this.queue.queueArn,
          filter: { s3Key: { rules: [{ name: 'prefix', value: PREFIX.incoming }] } },
        },
      ],
    };
    // S3 checks that it may send when the configuration is set, so the policy must exist first.
    if (policyDependable) props.bucket.node.addDependency(policyDependable);
  }
}
