import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, type BuiltStack } from '../../helpers/stack.js';

let dev: BuiltStack;
let prod: BuiltStack;

beforeAll(async () => {
  dev = await buildStack('dev');
  prod = await buildStack('prod', { alarmEmail: 'ops@example.com' });
});

const topicAction = () => {
  const [topicId] = Object.keys(dev.template.findResources('AWS::SNS::Topic'));
  return [{ Ref: topicId }];
};

describe('alarms', () => {
  it('has exactly the six alarms, and the pod pipeline its two, each notifying the SNS topic', () => {
    dev.template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    dev.template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: topicAction() });
  });

  it('a failed webhook delivery (the notifier\'s DeliveriesFailed ≥ 1 in 5 minutes)', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'tap-dev-deliveries-failed',
      MetricName: 'DeliveriesFailed',
      Namespace: 'Tap/dev',
      Dimensions: [{ Name: 'service', Value: 'result-notifier' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('Lambda errors ≥ 1 in 5 minutes', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Period: 300,
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('average duration above 30 s for 2 periods', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Statistic: 'Average',
      Threshold: 30_000,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('file failure rate above 5 %, by metric math over the metrics the processor emits', () => {
    const alarm = Object.values(
      dev.template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'tap-dev-file-failure-rate' } }),
    )[0]!;
    expect(alarm.Properties.Threshold).toBe(5);
    const queries = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: any }>;
    expect(queries.find((q) => q.Expression)?.Expression).toContain('100 * failed / (ok + failed)');
    const stats = queries.filter((q) => q.MetricStat).map((q) => q.MetricStat.Metric);
    expect(stats).toEqual(
      expect.arrayContaining([
        { Namespace: 'Tap/dev', MetricName: 'FilesProcessed', Dimensions: [{ Name: 'service', Value: 'shipment-processor' }] },
        { Namespace: 'Tap/dev', MetricName: 'FilesFailed', Dimensions: [{ Name: 'service', Value: 'shipment-processor' }] },
      ]),
    );
  });

  it('a big-file run that failed, timed out or was aborted (their sum ≥ 1 in 5 minutes), on the big-file state machine', () => {
    const alarms = dev.template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'tap-dev-big-file-runs-failed' } });
    const [alarm] = Object.values(alarms);
    expect(alarm, 'alarm tap-dev-big-file-runs-failed').toBeDefined();
    expect(alarm!.Properties).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topicAction(),
    });
    const queries = alarm!.Properties.Metrics as Array<{ Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: any }>;
    const expression = queries.find((q) => q.Expression)!;
    expect(expression.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
    expect(expression.ReturnData).not.toBe(false);
    const [machineId] = Object.keys(dev.template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'tap-dev-big-file' } }));
    const stats = Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat]));
    for (const [id, metricName] of [['failed', 'ExecutionsFailed'], ['timedOut', 'ExecutionsTimedOut'], ['aborted', 'ExecutionsAborted']]) {
      expect(stats[id!], id).toEqual({
        Metric: { Namespace: 'AWS/States', MetricName: metricName, Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }] },
        Period: 300,
        Stat: 'Sum',
      });
      expect(queries.find((q) => q.Id === id)!.ReturnData).toBe(false);
    }
  });

  it('DLQ depth ≥ 1', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: Match.anyValue() }],
    });
  });

  it('subscribes an e-mail address only when one is given', () => {
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});
