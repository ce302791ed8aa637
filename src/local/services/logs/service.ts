/**
 * CloudWatch Logs (awsJson1_1, `Logs_20140328.*`): log groups, streams, PutLogEvents, GetLogEvents,
 * FilterLogEvents (text and JSON filter patterns), retention policies and tags, persisted under
 * `<data-dir>/logs` (see store.ts). Also the in-process LogsApi that Lambda writes through.
 *
 * Leaves out: retention actually expiring events (the policy is stored and reported; old events stay),
 * metric filters, subscription filters, Logs Insights queries, live tail, export tasks, data
 * protection, deliveries, anomaly detection, KMS association (the key id is stored only), and the
 * space-delimited filter pattern form (rejected). Streams report storedBytes 0, as AWS has since 2019.
 */
import type { ServerResponse } from 'node:http';
import { notImplemented } from '../../errors.js';
import { sendJson, sendJsonError } from '../../protocols/json.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import type { LogsApi } from '../contracts.js';
import { checkBatch, filterLogEvents, getLogEvents } from './queries.js';
import { LogsStore, type LogGroup } from './store.js';
import { checkLimit, decodeOffset, encodeOffset, invalidParameter } from './validate.js';

type Input = Record<string, any>;
type Operation = (input: Input, region: string) => Promise<unknown> | unknown;

/** The service, plus its store for in-process callers (the CloudFormation engine) that want it. */
export interface LocalLogs extends LogsApi {
  readonly store: LogsStore;
}

export function logsService(ctx: LocalContext): LocalLogs {
  const dir = serviceDir(ctx.dataDir, 'logs');
  const store = new LogsStore(dir, ctx.accountId);
  const ops = operations(store);

  return {
    name: 'logs',
    targetPrefixes: ['Logs_20140328'],
    store,
    async start() {
      await store.load();
    },
    async handle(req: ServiceRequest, res: ServerResponse) {
      const op = ops[req.target ?? ''];
      if (!op) throw notImplemented('logs', req.target ?? '(no X-Amz-Target)');
      const input = await req.json<Input>().catch(() => {
        throw invalidParameter('The request body is not valid JSON.');
      });
      sendJson(res, req.requestId, (await op(input, req.region)) ?? {}, '1.1');
    },
    sendError(req, res, error) {
      sendJsonError(res, req.requestId, error, { version: '1.1' });
    },
    appendEvents: (region, group, stream, events, options) => store.appendEvents(region, group, stream, events, options),
    async reset() {
      await removeIfExists(dir);
      await store.load();
    },
  };
}

function operations(store: LogsStore): Record<string, Operation> {
  const groupOf = (input: Input, region: string): LogGroup =>
    store.group(region, String(input.logGroupIdentifier ?? input.logGroupName ?? ''));
  const arnGroup = (input: Input, region: string) => store.group(region, String(input.resourceArn ?? ''));

  return {
    CreateLogGroup: async (i, region) => {
      await store.createLogGroup(region, i.logGroupName, { tags: i.tags, kmsKeyId: i.kmsKeyId, logGroupClass: i.logGroupClass });
    },
    DeleteLogGroup: (i, region) => store.deleteLogGroup(region, String(i.logGroupName ?? '')),
    DescribeLogGroups: (i, region) => {
      if (i.logGroupNamePrefix !== undefined && i.logGroupNamePattern !== undefined) {
        throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const pattern = String(i.logGroupNamePattern ?? '').toLowerCase();
      const groups = [...store.groupsOf(region).values()]
        .filter((g) => g.meta.name.startsWith(i.logGroupNamePrefix ?? '') && g.meta.name.toLowerCase().includes(pattern))
        .sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
      const { items, nextToken } = page(groups, i, 50);
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.meta.name,
          creationTime: g.meta.creationTime,
          ...(g.meta.retentionInDays ? { retentionInDays: g.meta.retentionInDays } : {}),
          metricFilterCount: 0,
          arn: `${store.groupArn(g)}:*`,
          storedBytes: g.storedBytes,
          ...(g.meta.kmsKeyId ? { kmsKeyId: g.meta.kmsKeyId } : {}),
          logGroupClass: g.meta.logGroupClass,
          logGroupArn: store.groupArn(g),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    CreateLogStream: async (i, region) => {
      await store.createLogStream(groupOf(i, region), i.logStreamName);
    },
    DeleteLogStream: (i, region) => store.deleteLogStream(groupOf(i, region), String(i.logStreamName ?? '')),
    DescribeLogStreams: (i, region) => {
      const group = groupOf(i, region);
      const byTime = i.orderBy === 'LastEventTime';
      if (i.orderBy !== undefined && !byTime && i.orderBy !== 'LogStreamName') throw invalidParameter(`Invalid orderBy: ${i.orderBy}`);
      if (byTime && i.logStreamNamePrefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const lastTime = (s: { events: { timestamp: number }[] }) => s.events[s.events.length - 1]?.timestamp ?? 0;
      const streams = [...group.streams.values()]
        .filter((s) => s.name.startsWith(i.logStreamNamePrefix ?? ''))
        .sort((a, b) => (byTime ? lastTime(a) - lastTime(b) || (a.name < b.name ? -1 : 1) : a.name < b.name ? -1 : 1));
      if (i.descending) streams.reverse();
      const { items, nextToken } = page(streams, i, 50);
      return {
        logStreams: items.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          ...(s.events.length
            ? { firstEventTimestamp: s.events[0]!.timestamp, lastEventTimestamp: lastTime(s), lastIngestionTime: s.lastIngestionTime }
            : {}),
          uploadSequenceToken: String(s.events.length + 1).padStart(56, '0'),
          arn: `${store.groupArn(group)}:log-stream:${s.name}`,
          storedBytes: 0,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    PutLogEvents: async (i, region) => {
      const group = groupOf(i, region);
      const stream = store.stream(group, String(i.logStreamName ?? ''));
      const { accepted, rejected } = checkBatch(group, Array.isArray(i.logEvents) ? i.logEvents : []);
      await store.append(group, stream, accepted);
      return {
        nextSequenceToken: String(stream.events.length + 1).padStart(56, '0'),
        ...(rejected ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },
    GetLogEvents: (i, region) => getLogEvents(store.stream(groupOf(i, region), String(i.logStreamName ?? '')), i),
    FilterLogEvents: (i, region) => filterLogEvents(groupOf(i, region), i),
    PutRetentionPolicy: (i, region) => store.setRetention(groupOf(i, region), i.retentionInDays ?? null),
    DeleteRetentionPolicy: (i, region) => store.setRetention(groupOf(i, region), undefined),
    TagResource: (i, region) => store.tag(arnGroup(i, region), i.tags ?? {}),
    UntagResource: (i, region) => store.untag(arnGroup(i, region), i.tagKeys ?? []),
    ListTagsForResource: (i, region) => ({ tags: arnGroup(i, region).meta.tags }),
    TagLogGroup: (i, region) => store.tag(groupOf(i, region), i.tags ?? {}),
    UntagLogGroup: (i, region) => store.untag(groupOf(i, region), i.tags ?? []),
    ListTagsLogGroup: (i, region) => ({ tags: groupOf(i, region).meta.tags }),
  };
}

function page<T>(all: T[], input: Input, max: number): { items: T[]; nextToken: string | undefined } {
  const limit = checkLimit(input.limit, max, max);
  const offset = decodeOffset(input.nextToken);
  const items = all.slice(offset, offset + limit);
  return { items, nextToken: offset + limit < all.length ? encodeOffset(offset + limit) : undefined };
}
