import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { newestNodeRuntime } from '../../../src/infra/runtime.js';
import { allowStatements, buildStack, type BuiltStack } from '../../helpers/stack.js';
import { Runtime } from 'aws-cdk-lib/aws-lambda';

let dev: BuiltStack;
let prod: BuiltStack;

beforeAll(async () => {
  dev = await buildStack('dev');
  prod = await buildStack('prod');
});

describe('processor function', () => {
  it('runs on the newest Node.js runtime this aws-cdk-lib offers, on arm64, logging JSON to its own group', () => {
    const newest = newestNodeRuntime().name;
    const majors = Runtime.ALL.map((r) => /^nodejs(\d+)\.x$/.exec(r.name)?.[1]).filter(Boolean).map(Number);
    expect(newest).toBe(`nodejs${Math.max(...majors)}.x`);
    const [logGroupId] = Object.keys(dev.template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/aws/lambda/tap-dev-processor' } }));
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'tap-dev-processor',
      Runtime: newest,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({ TAP_ENV: 'dev', POWERTOOLS_METRICS_NAMESPACE: 'Tap/dev' }),
      },
    });
  });

  it('keeps logs 7 days in dev and 30 in prod', () => {
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/tap-dev-processor',
      RetentionInDays: 7,
    });
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('is triggered by the ingest queue with partial batch responses', () => {
    const [queueId] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-ingest' } }));
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('bundles the real handler with esbuild at synth time', () => {
    expect(dev.bundleBytes).toBeGreaterThan(10_000);
  });
});

describe('least privilege', () => {
  it('no policy allows a wildcard action', () => {
    const actions = allowStatements(dev.template).flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(5);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('does not need PutMetricData (metrics go out in embedded metric format) nor managed policies', () => {
    const actions = allowStatements(dev.template).flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('cloudwatch:PutMetricData');
    // The one exception: API Gateway's account-level CloudWatch role, with AWS's policy made for it.
    for (const [id, role] of Object.entries(dev.template.findResources('AWS::IAM::Role'))) {
      const managed = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
      if (id.includes('CloudWatchRole')) expect(managed).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
      else expect(role.Properties.ManagedPolicyArns ?? [], id).toEqual([]);
    }
  });

  it('S3 access is limited to the prefixes the processor reads and writes', () => {
    const s3 = allowStatements(dev.template).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const resources = JSON.stringify(s3.map((s) => s.Resource));
    for (const prefix of ['incoming/*', 'processed/*', 'rejected/*', 'quarantine/*']) expect(resources).toContain(prefix);
    expect(resources).not.toMatch(/uploads-[^"]*"\]\}\/\*/); // never the whole bucket
  });
});

describe('tables', () => {
  it('metadata: filename + upload_timestamp, on-demand, PITR, a GSI by status and time', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'tap-dev-metadata',
      KeySchema: [
        { AttributeName: 'filename', KeyType: 'HASH' },
        { AttributeName: 'upload_timestamp', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'by-status',
          KeySchema: [
            { AttributeName: 'processing_status', KeyType: 'HASH' },
            { AttributeName: 'upload_timestamp', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ],
    });
  });

  it('shipment events: keyed by shipment and a deterministic event key', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'tap-dev-shipment-events',
      KeySchema: [
        { AttributeName: 'shipment_id', KeyType: 'HASH' },
        { AttributeName: 'event_key', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('prod retains tables and turns on deletion protection; dev does neither', () => {
    prod.template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    dev.template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });
});
