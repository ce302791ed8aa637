/**
 * CloudWatch (signing name `monitoring`; the SDK speaks awsJson1_0, query-compatible): metric alarms,
 * stored and returned. Alarms are never evaluated — they stay in the state last set (initially
 * INSUFFICIENT_DATA; SetAlarmState changes it) — and no metrics are kept: PutMetricData is accepted
 * and dropped, GetMetricData and dashboards are left out. Embedded-metric-format log lines stay in
 * the logs, as plain log events.
 */
import { join } from 'node:path';
import { fsName } from '../../names.js';
import { mergeTags } from '../../tags.js';
import { AwsError } from '../../errors.js';
import { jsonHandler, requireField, type JsonOperation } from '../../protocols/json-service.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import { RecordStore } from '../records.js';

export interface Alarm {
  AlarmName: string;
  AlarmArn: string;
  StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  StateReason: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  Tags?: Array<{ Key: string; Value: string }>;
  [property: string]: unknown;
}

const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];

export interface CloudWatchService extends LocalService {
  /** For the CloudFormation engine: the same validation as PutMetricAlarm. */
  putAlarm(region: string, input: Record<string, any>): Promise<Alarm>;
  deleteAlarm(region: string, name: string): Promise<void>;
  getAlarm(region: string, name: string): Promise<Alarm | undefined>;
}

const invalid = (message: string) => new AwsError('ValidationError', message, 400, { queryCode: 'ValidationError' });

export function cloudwatchService(ctx: LocalContext): CloudWatchService {
  const stores = new Map<string, RecordStore<Alarm>>();
  const store = (region: string) => {
    if (!stores.has(region)) stores.set(region, new RecordStore<Alarm>(join(serviceDir(ctx.dataDir, 'cloudwatch'), fsName(region), 'alarms'), 'CloudWatch alarm'));
    return stores.get(region)!;
  };

  async function putAlarm(region: string, input: Record<string, any>): Promise<Alarm> {
    const name = requireField<string>(input, 'AlarmName');
    if (!COMPARISONS.includes(requireField<string>(input, 'ComparisonOperator'))) throw invalid(`Invalid ComparisonOperator ${input.ComparisonOperator}`);
    if (!(Number(input.EvaluationPeriods) >= 1)) throw invalid('EvaluationPeriods must be at least 1.');
    if (!input.Metrics && !input.MetricName) throw invalid('Either MetricName or Metrics must be specified.');
    if (input.Metrics && input.MetricName) throw invalid('MetricName and Metrics are mutually exclusive.');
    const existing = await store(region).get(name);
    const now = Date.now() / 1000;
    const alarm: Alarm = {
      ...input,
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${region}:${ctx.accountId}:alarm:${name}`,
      ActionsEnabled: input.ActionsEnabled ?? true,
      AlarmActions: input.AlarmActions ?? [],
      OKActions: input.OKActions ?? [],
      InsufficientDataActions: input.InsufficientDataActions ?? [],
      StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
      AlarmConfigurationUpdatedTimestamp: now,
      Tags: input.Tags ?? existing?.Tags ?? [],
    };
    await store(region).put(name, alarm);
    return alarm;
  }

  const describe = (alarm: Alarm) => {
    const { Tags: _tags, ...shown } = alarm;
    return shown;
  };
  const byArn = async (region: string, arn: string) => {
    const alarm = await store(region).get(arn.split(':alarm:')[1] ?? '');
    if (!alarm) throw new AwsError('ResourceNotFoundException', `${arn} not found`, 404, { queryCode: 'ResourceNotFound' });
    return alarm;
  };

  const operations: Record<string, JsonOperation> = {
    PutMetricAlarm: async (input, req) => void (await putAlarm(req.region, input)),
    DescribeAlarms: async (input, req) => {
      let alarms = await store(req.region).list();
      if (input.AlarmNames?.length) alarms = alarms.filter((a) => input.AlarmNames.includes(a.AlarmName));
      if (input.AlarmNamePrefix) alarms = alarms.filter((a) => a.AlarmName.startsWith(input.AlarmNamePrefix));
      if (input.StateValue) alarms = alarms.filter((a) => a.StateValue === input.StateValue);
      if (input.ActionPrefix) alarms = alarms.filter((a) => a.AlarmActions.some((x) => x.startsWith(input.ActionPrefix)));
      return { MetricAlarms: alarms.map(describe), CompositeAlarms: [] };
    },
    DeleteAlarms: async (input, req) => {
      for (const name of requireField<string[]>(input, 'AlarmNames')) await store(req.region).delete(name);
    },
    SetAlarmState: async (input, req) => {
      const name = requireField<string>(input, 'AlarmName');
      const alarm = await store(req.region).get(name);
      if (!alarm) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404, { queryCode: 'ResourceNotFound' });
      alarm.StateValue = requireField(input, 'StateValue');
      alarm.StateReason = requireField(input, 'StateReason');
      alarm.StateUpdatedTimestamp = Date.now() / 1000;
      await store(req.region).put(name, alarm);
    },
    PutMetricData: async (input) => void requireField(input, 'Namespace'),
    TagResource: async (input, req) => {
      const alarm = await byArn(req.region, requireField(input, 'ResourceARN'));
      const added: Array<{ Key: string; Value: string }> = requireField(input, 'Tags');
      alarm.Tags = mergeTags(alarm.Tags, added);
      await store(req.region).put(alarm.AlarmName, alarm);
    },
    UntagResource: async (input, req) => {
      const alarm = await byArn(req.region, requireField(input, 'ResourceARN'));
      const keys: string[] = requireField(input, 'TagKeys');
      alarm.Tags = (alarm.Tags ?? []).filter((t) => !keys.includes(t.Key));
      await store(req.region).put(alarm.AlarmName, alarm);
    },
    ListTagsForResource: async (input, req) => ({ Tags: (await byArn(req.region, requireField(input, 'ResourceARN'))).Tags ?? [] }),
  };

  return {
    name: 'monitoring',
    targetPrefixes: ['GraniteServiceVersion20100801'],
    ...jsonHandler(ctx, 'monitoring', operations, '1.0'),
    putAlarm,
    async deleteAlarm(region, name) {
      await store(region).delete(name);
    },
    getAlarm: (region, name) => store(region).get(name),
    async reset() {
      stores.clear();
      await removeIfExists(serviceDir(ctx.dataDir, 'cloudwatch'));
    },
  };
}
