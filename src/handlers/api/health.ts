/**
 * GET /status: the pipeline's health in one answer: queue depths, the newest processed file and its
 * outcome, files per status in the last hour, and the alarms' states.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toFileRun, type FileRun } from '../../shared/metadata.js';
import { queueDepth, type QueueDepth } from '../../shared/queue-messages.js';
import type { ProcessingStatus } from '../contract.js';
import type { MetadataItem } from '../ports.js';

export interface HealthSources {
  readonly docs: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly environment: string;
  readonly metadataTable: string;
  readonly statusIndex: string;
  readonly ingestQueueUrl: string;
  readonly dlqUrl: string;
  readonly alarmPrefix: string;
}

export interface Health {
  readonly environment: string;
  readonly queues: { readonly ingest: Depth; readonly deadLetter: Depth };
  readonly latest: FileRun | null;
  readonly lastHour: Record<ProcessingStatus, number>;
  readonly alarms: Array<{ name: string; state: string; reason?: string; since?: string }>;
  readonly checkedAt: string;
}

type Depth = Omit<QueueDepth, 'retentionSeconds'>;

const STATUSES: ProcessingStatus[] = ['SUCCESS', 'FAILED'];
/** Counting stops here: the answer says "at least" beyond it rather than reading the whole index. */
const COUNT_CAP = 10_000;

export async function health(src: HealthSources, now = Date.now()): Promise<Health> {
  const hourAgo = new Date(now - 3_600_000).toISOString();
  const [ingest, deadLetter, newest, counts, alarms] = await Promise.all([
    depth(src.sqs, src.ingestQueueUrl),
    depth(src.sqs, src.dlqUrl),
    Promise.all(STATUSES.map((s) => newestOf(src, s))),
    Promise.all(STATUSES.map((s) => countSince(src, s, hourAgo))),
    alarmStates(src),
  ]);
  const latest = newest.filter((r): r is FileRun => r !== undefined).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))[0] ?? null;
  return {
    environment: src.environment,
    queues: { ingest, deadLetter },
    latest,
    lastHour: { SUCCESS: counts[0]!, FAILED: counts[1]! },
    alarms,
    checkedAt: new Date(now).toISOString(),
  };
}

async function depth(sqs: SQSClient, url: string): Promise<Depth> {
  const { visible, inFlight, delayed } = await queueDepth(sqs, url);
  return { visible, inFlight, delayed };
}

async function newestOf(src: HealthSources, status: ProcessingStatus): Promise<FileRun | undefined> {
  const page = await src.docs.send(
    new QueryCommand({
      TableName: src.metadataTable,
      IndexName: src.statusIndex,
      KeyConditionExpression: 'processing_status = :s',
      ExpressionAttributeValues: { ':s': status },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = page.Items?.[0] as MetadataItem | undefined;
  return item ? toFileRun(item) : undefined;
}

async function countSince(src: HealthSources, status: ProcessingStatus, since: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await src.docs.send(
      new QueryCommand({
        TableName: src.metadataTable,
        IndexName: src.statusIndex,
        KeyConditionExpression: 'processing_status = :s AND upload_timestamp >= :t',
        ExpressionAttributeValues: { ':s': status, ':t': since },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && count < COUNT_CAP);
  return count;
}

async function alarmStates(src: HealthSources): Promise<Health['alarms']> {
  const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const out = await src.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: src.alarmPrefix, AlarmTypes: ['MetricAlarm'], MaxRecords: 100 }));
  return (out.MetricAlarms ?? []).map((a) => ({
    name: a.AlarmName ?? '',
    state: a.StateValue ?? 'INSUFFICIENT_DATA',
    ...(a.StateReason && { reason: a.StateReason }),
    ...(a.StateUpdatedTimestamp && { since: a.StateUpdatedTimestamp.toISOString() }),
  }));
}
