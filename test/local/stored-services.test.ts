import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, ListTagsForResourceCommand, PutMetricAlarmCommand, SetAlarmStateCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, DeleteTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-central-1' });
});
afterAll(() => local.stop());

describe('CloudWatch alarms (stored, not evaluated)', () => {
  it('puts, describes (with filters), sets state, tags and deletes an alarm', async () => {
    const cw = new CloudWatchClient(local.clientConfig);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'tap-dev-processor-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'fn' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: ['arn:aws:sns:eu-central-1:000000000000:alarms'],
    }));
    const [alarm] = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'tap-dev' }))).MetricAlarms!;
    expect(alarm).toMatchObject({
      AlarmArn: 'arn:aws:cloudwatch:eu-central-1:000000000000:alarm:tap-dev-processor-errors',
      StateValue: 'INSUFFICIENT_DATA',
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: 'fn' }],
    });
    expect(alarm!.StateUpdatedTimestamp).toBeInstanceOf(Date);

    await cw.send(new SetAlarmStateCommand({ AlarmName: 'tap-dev-processor-errors', StateValue: 'ALARM', StateReason: 'test' }));
    expect((await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms?.map((a) => a.AlarmName)).toEqual(['tap-dev-processor-errors']);

    await cw.send(new TagResourceCommand({ ResourceARN: alarm!.AlarmArn, Tags: [{ Key: 'Project', Value: 'tap' }] }));
    expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: alarm!.AlarmArn }))).Tags).toEqual([{ Key: 'Project', Value: 'tap' }]);

    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['tap-dev-processor-errors'] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });

  it('rejects an alarm without a metric as a validation error', async () => {
    const cw = new CloudWatchClient(local.clientConfig);
    await expect(cw.send(new PutMetricAlarmCommand({ AlarmName: 'bad', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1 }))).rejects.toMatchObject({ name: expect.stringMatching(/Validation|InvalidParameter/) });
  });
});

describe('SNS', () => {
  it('creates topics idempotently, subscribes, reports attributes, and deletes', async () => {
    const sns = new SNSClient(local.clientConfig);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tap-dev-alarms', Tags: [{ Key: 'Project', Value: 'tap' }] }));
    expect(TopicArn).toBe('arn:aws:sns:eu-central-1:000000000000:tap-dev-alarms');
    expect((await sns.send(new CreateTopicCommand({ Name: 'tap-dev-alarms' }))).TopicArn).toBe(TopicArn);

    const email = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    expect(email.SubscriptionArn).toBe('pending confirmation');
    const queue = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:eu-central-1:000000000000:q' }));
    expect(queue.SubscriptionArn).toMatch(/^arn:aws:sns:eu-central-1:000000000000:tap-dev-alarms:/);

    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attributes).toMatchObject({ TopicArn, SubscriptionsConfirmed: '1', SubscriptionsPending: '1' });
    expect(JSON.parse(attributes.Policy!).Statement[0].Resource).toBe(TopicArn);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(2);

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: queue.SubscriptionArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('SSM parameters', () => {
  it('puts with versions, refuses to overwrite silently, reads by name and path, deletes', async () => {
    const ssm = new SSMClient(local.clientConfig);
    expect((await ssm.send(new PutParameterCommand({ Name: '/tap/dev/bucket', Value: 'b1', Type: 'String' }))).Version).toBe(1);
    await expect(ssm.send(new PutParameterCommand({ Name: '/tap/dev/bucket', Value: 'b2', Type: 'String' }))).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    expect((await ssm.send(new PutParameterCommand({ Name: '/tap/dev/bucket', Value: 'b2', Overwrite: true }))).Version).toBe(2);
    expect((await ssm.send(new GetParameterCommand({ Name: '/tap/dev/bucket' }))).Parameter).toMatchObject({ Value: 'b2', Version: 2, Type: 'String' });
    await ssm.send(new PutParameterCommand({ Name: '/tap/dev/deep/x', Value: 'x', Type: 'String' }));
    const flat = await ssm.send(new GetParametersByPathCommand({ Path: '/tap/dev' }));
    expect(flat.Parameters?.map((p) => p.Name)).toEqual(['/tap/dev/bucket']);
    const deep = await ssm.send(new GetParametersByPathCommand({ Path: '/tap/dev', Recursive: true }));
    expect(deep.Parameters?.map((p) => p.Name).sort()).toEqual(['/tap/dev/bucket', '/tap/dev/deep/x']);
    await ssm.send(new DeleteParameterCommand({ Name: '/tap/dev/bucket' }));
    await expect(ssm.send(new GetParameterCommand({ Name: '/tap/dev/bucket' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });
});
