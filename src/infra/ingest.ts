import { Duration } from 'aws-cdk-lib/core';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREFIX } from '../handlers/contract.js';
import { notifiedQueue } from './parts.js';

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

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = notifiedQueue(this, {
      queueName: `tap-${props.envName}-ingest`,
      deadLetterQueueName: `tap-${props.envName}-ingest-dlq`,
      visibilityTimeout: Duration.seconds(props.functionTimeout.toSeconds() * 6),
      maxReceiveCount: props.maxReceiveCount,
      bucket: props.bucket,
      bucketArn: props.bucketArn,
      sourceAccount: props.sourceAccount,
      prefix: PREFIX.incoming,
    }));
  }
}
