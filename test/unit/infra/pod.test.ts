import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, type BuiltStack } from '../../helpers/stack.js';

let dev: BuiltStack;

beforeAll(async () => {
  dev = await buildStack('dev');
});

describe('pod pipeline', () => {
  it('the pod processor: Node on arm64, its own log group, sized memory and time-out, fed one photo at a time by its queue', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'tap-dev-pod-processor',
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs\\d+\\.x$'),
      MemorySize: 1536,
      Timeout: 60,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.anyValue() } },
    });
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/tap-dev-pod-processor' });
    const [podQueue] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-pod' } }));
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, EventSourceArn: { 'Fn::GetAtt': [podQueue, 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('has its own dead-letter queue, and the queue waits six time-outs before redelivering', () => {
    const [dlq] = Object.keys(dev.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'tap-dev-pod-dlq' } }));
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'tap-dev-pod',
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 3 },
    });
  });

  it('reads only pod/, writes only thumbnails/ and quarantine/', () => {
    const [role] = Object.values(dev.template.findResources('AWS::IAM::Role', { Properties: { Description: 'tap dev: proof-of-delivery photo processor' } }));
    const statements = role!.Properties.Policies[0].PolicyDocument.Statement as Array<{ Sid: string; Resource: unknown }>;
    const resources = (sid: string) => JSON.stringify(statements.find((s) => s.Sid === sid)?.Resource);
    expect(resources('ReadPhotos')).toContain('/pod/*');
    expect(resources('ReadPhotos')).not.toContain('incoming/');
    expect(resources('WriteThumbnailsAndQuarantine')).toMatch(/thumbnails\/\*.*quarantine\/\*/);
  });

  it('alarms on function errors and on a non-empty pod DLQ, into the alarm topic', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tap-dev-pod-processor-errors', MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1 });
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tap-dev-pod-dlq-not-empty', MetricName: 'ApproximateNumberOfMessagesVisible' });
  });
});
