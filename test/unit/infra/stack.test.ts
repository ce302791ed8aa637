import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, SERVICE_NAME, STATUS_INDEX } from '../../../src/handlers/contract.js';
import { OUTPUT } from '../../../src/infra/stack.js';
import { allowStatements, buildStack, type BuiltStack } from '../../helpers/stack.js';

let dev: BuiltStack;
let prod: BuiltStack;

beforeAll(async () => {
  dev = await buildStack('dev');
  prod = await buildStack('prod', { alarmEmail: 'ops@example.com' });
});

const bucketName = (env: string) => ({
  'Fn::Join': ['', [`tap-${env}-uploads-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
});

describe('upload bucket', () => {
  it('is versioned, encrypted, private, with a deterministic name and lifecycle rules', () => {
    dev.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: bucketName('dev'),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'quarantine/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('denies requests that do not use TLS', () => {
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('notifies the ingest queue of new objects under incoming/ and the pod queue under pod/, through its own configuration', () => {
    const [queueId] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-ingest' } }));
    const [podQueueId] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-pod' } }));
    dev.template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Event: 's3:ObjectCreated:*',
            Queue: { 'Fn::GetAtt': [queueId, 'Arn'] },
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          },
          {
            Event: 's3:ObjectCreated:*',
            Queue: { 'Fn::GetAtt': [podQueueId, 'Arn'] },
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'pod/' }] } },
          },
        ],
      },
    });
  });

  it('is destroyable in dev and retained in prod', () => {
    dev.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    prod.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('the stack as a whole', () => {
  it('contains no custom resources and no bootstrap parameter', () => {
    const types = Object.values(dev.template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    expect(types).not.toContain('Custom::S3BucketNotifications');
    expect(dev.template.toJSON().Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
    // Exactly seven functions: the processor, the pod processor, the API handler, the webhook notifier and
    // the big-file Prepare, Batch and Finish (no auto-delete or notification handlers).
    dev.template.resourceCountIs('AWS::Lambda::Function', 7);
  });

  it('publishes assets to the tap-owned asset bucket, filled in per account and region at deploy', () => {
    const synthesized = dev.app.synth();
    const manifest = JSON.parse(readFileSync(join(synthesized.directory, 'TapStack-dev.assets.json'), 'utf8'));
    const destinations = Object.values(manifest.files as Record<string, { destinations: Record<string, { bucketName: string }> }>)
      .flatMap((f) => Object.values(f.destinations));
    expect(destinations.length).toBeGreaterThanOrEqual(2); // the template and the processor bundle
    for (const d of destinations) expect(d.bucketName).toBe('tap-assets-${AWS::AccountId}-${AWS::Region}');
  });

  it('tags everything with Project, Environment and ManagedBy', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::Lambda::Function']) {
      dev.template.allResourcesProperties(type, {
        Tags: Match.arrayWith([
          { Key: 'Environment', Value: 'dev' },
          { Key: 'ManagedBy', Value: 'tap' },
          { Key: 'Project', Value: 'tap' },
        ]),
      });
    }
  });

  it('outputs every name the CLI needs', () => {
    const outputs = Object.keys(dev.template.toJSON().Outputs);
    expect(outputs.sort()).toEqual(Object.values(OUTPUT).sort());
    dev.template.hasOutput(OUTPUT.statusIndex, { Value: STATUS_INDEX });
    dev.template.hasOutput(OUTPUT.metricsNamespace, { Value: 'Tap/dev' });
  });
});

describe('queues', () => {
  it('ingest queue: encrypted, TLS-only, visibility six times the function timeout, redrive to the DLQ', () => {
    const fn = Object.values(dev.template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'tap-dev-processor' } }))[0]!;
    const [dlqId] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-ingest-dlq' } }));
    const ingest = Object.values(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-ingest' } }))[0]!;
    expect(ingest.Properties.SqsManagedSseEnabled).toBe(true);
    expect(ingest.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
    expect(ingest.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    expect(ingest.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(3);
    expect(ingest.Properties.RedrivePolicy.maxReceiveCount).toBeLessThanOrEqual(5);
  });

  it('DLQ: encrypted, keeps messages 14 days', () => {
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'tap-dev-ingest-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('all queues deny non-TLS requests; only the upload bucket of this account may send to the ingest queue', () => {
    const policies = Object.values(dev.template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(4); // ingest, its DLQ, pod, its DLQ
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('the bucket is created after the queue policy that lets it send (S3 checks on configuration)', () => {
    const [policyId] = Object.keys(dev.template.findResources('AWS::SQS::QueuePolicy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowUploadBucketNotifications' })]) } },
    }));
    dev.template.hasResource('AWS::S3::Bucket', { DependsOn: Match.arrayWith([policyId]) });
  });
});
