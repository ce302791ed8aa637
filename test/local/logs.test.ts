import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsApi } from '../../src/local/services/contracts.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  logs = new CloudWatchLogsClient(local.clientConfig);
});
afterAll(() => local.stop());

const now = Date.now();
const put = (group: string, stream: string, events: Array<{ timestamp: number; message: string }>) =>
  logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));

describe('log groups', () => {
  it('creates, lists with prefix and pages, and refuses duplicates', async () => {
    for (const name of ['/app/a', '/app/b', '/app/c', '/other/x']) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: 'data' } }));
    }
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/app/a' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2 }));
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/a', '/app/b']);
    expect(first.logGroups?.[0]).toMatchObject({
      arn: 'arn:aws:logs:eu-west-1:000000000000:log-group:/app/a:*',
      logGroupArn: 'arn:aws:logs:eu-west-1:000000000000:log-group:/app/a',
      storedBytes: 0,
      logGroupClass: 'STANDARD',
    });
    const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2, nextToken: first.nextToken }));
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/c']);
    expect(second.nextToken).toBeUndefined();
  });

  it('rejects invalid names with InvalidParameterException', async () => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('sets and removes a retention policy, accepting only AWS values', async () => {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/a', retentionInDays: 14 }));
    let g = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/a' }));
    expect(g.logGroups?.[0]?.retentionInDays).toBe(14);
    await expect(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/a', retentionInDays: 2 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/app/a' }));
    g = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/a' }));
    expect(g.logGroups?.[0]?.retentionInDays).toBeUndefined();
  });

  it('tags by ARN and by the older log-group calls', async () => {
    const arn = 'arn:aws:logs:eu-west-1:000000000000:log-group:/app/b';
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev' } }));
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ team: 'data', env: 'dev' });
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    await logs.send(new TagLogGroupCommand({ logGroupName: '/app/b', tags: { owner: 'me' } }));
    await logs.send(new UntagLogGroupCommand({ logGroupName: '/app/b', tags: ['env'] }));
    expect((await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/app/b' }))).tags).toEqual({ owner: 'me' });
    await expect(logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-missing` }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('deletes a group, then reports it missing', async () => {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/other/x' }));
    await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: '/other/x' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
  });
});

describe('log streams and events', () => {
  const group = '/app/c';

  it('creates streams and describes them by name or by last event time', async () => {
    for (const s of ['s-1', 's-2', 'other']) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
    await put(group, 's-2', [{ timestamp: now - 5000, message: 'early' }]);
    await put(group, 's-1', [{ timestamp: now - 1000, message: 'late' }]);
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: 's-' }));
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['s-1', 's-2']);
    expect(byName.logStreams?.[1]).toMatchObject({ firstEventTimestamp: now - 5000, lastEventTimestamp: now - 5000, storedBytes: 0 });
    expect(byName.logStreams?.[1]?.lastIngestionTime).toBeGreaterThanOrEqual(now);
    const byTime = await logs.send(
      new DescribeLogStreamsCommand({ logGroupIdentifier: group, orderBy: 'LastEventTime', descending: true, limit: 2 }),
    );
    expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(['s-1', 's-2']);
    const rest = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, nextToken: byTime.nextToken }),
    );
    expect(rest.logStreams?.map((s) => s.logStreamName)).toEqual(['other']);
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', logStreamNamePrefix: 's' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(groups.logGroups?.[0]?.storedBytes).toBe(9);
  });

  it('rejects too old and too new events by index and keeps the rest', async () => {
    const day = 86_400_000;
    const result = await put(group, 'other', [
      { timestamp: now - 15 * day, message: 'ancient' },
      { timestamp: now - 100, message: 'fine' },
      { timestamp: now + 3 * 3_600_000, message: 'future' },
    ]);
    expect(result.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 2 });
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'other', startFromHead: true }));
    expect(got.events?.map((e) => e.message)).toEqual(['fine']);
  });

  it('refuses an out-of-order batch and a missing stream', async () => {
    await expect(
      put(group, 'other', [
        { timestamp: now, message: 'b' },
        { timestamp: now - 10, message: 'a' },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(put(group, 'nope', [{ timestamp: now, message: 'x' }])).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log stream does not exist.',
    });
  });

  it('pages GetLogEvents forward and backward, returning the same token at the end', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'paged' }));
    await put(group, 'paged', Array.from({ length: 5 }, (_, i) => ({ timestamp: now - 5000 + i, message: `m${i}` })));
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', startFromHead: true, limit: 2 }));
    expect(head.events?.map((e) => e.message)).toEqual(['m0', 'm1']);
    const next = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', nextToken: head.nextForwardToken, limit: 2 }));
    expect(next.events?.map((e) => e.message)).toEqual(['m2', 'm3']);
    const last = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', nextToken: next.nextForwardToken }));
    expect(last.events?.map((e) => e.message)).toEqual(['m4']);
    const end = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', nextToken: last.nextForwardToken }));
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(last.nextForwardToken);

    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', limit: 2 }));
    expect(tail.events?.map((e) => e.message)).toEqual(['m3', 'm4']);
    const before = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', nextToken: tail.nextBackwardToken, limit: 2 }));
    expect(before.events?.map((e) => e.message)).toEqual(['m1', 'm2']);

    const window = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged', startFromHead: true, startTime: now - 4999, endTime: now - 4997 }),
    );
    expect(window.events?.map((e) => e.message)).toEqual(['m1', 'm2']);
  });

  it('deletes a stream', async () => {
    await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: 'paged' }));
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'paged' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('FilterLogEvents', () => {
  const group = '/filter/app';
  beforeAll(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web-1' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'worker-1' }));
    await put(group, 'web-1', [
      { timestamp: now - 900, message: 'ERROR disk full on /dev/sda' },
      { timestamp: now - 700, message: 'INFO request served in 12 ms' },
      { timestamp: now - 500, message: '{"level":"ERROR","latency":250,"user":{"id":"u-1"}}' },
    ]);
    await put(group, 'worker-1', [
      { timestamp: now - 800, message: 'WARN retrying job 7' },
      { timestamp: now - 600, message: 'ERROR Exiting after signal' },
      { timestamp: now - 400, message: '{"level":"INFO","latency":20,"user":{"id":"u-2"}}' },
    ]);
  });

  const filter = async (filterPattern?: string, extra: Record<string, unknown> = {}) =>
    (await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern, ...extra }))).events?.map((e) => e.message) ?? [];

  it('returns every event in time order across streams, with ids and stream names', async () => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    expect(out.events?.map((e) => e.timestamp)).toEqual([now - 900, now - 800, now - 700, now - 600, now - 500, now - 400]);
    expect(out.events?.[1]).toMatchObject({ logStreamName: 'worker-1', message: 'WARN retrying job 7' });
    expect(out.events?.[0]?.eventId).toMatch(/^\d{56}$/);
    expect(out.events?.[0]?.ingestionTime).toBeGreaterThanOrEqual(now);
  });

  it('matches plain terms (all, case-sensitive), quoted phrases, ? terms and - terms', async () => {
    expect(await filter('ERROR disk')).toEqual(['ERROR disk full on /dev/sda']);
    expect(await filter('error')).toEqual([]);
    expect(await filter('"request served"')).toEqual(['INFO request served in 12 ms']);
    expect(await filter('?WARN ?disk')).toEqual(['ERROR disk full on /dev/sda', 'WARN retrying job 7']);
    expect(await filter('ERROR -Exiting -latency')).toEqual(['ERROR disk full on /dev/sda']);
  });

  it('matches JSON patterns', async () => {
    expect(await filter('{ $.level = "ERROR" }')).toEqual(['{"level":"ERROR","latency":250,"user":{"id":"u-1"}}']);
    expect(await filter('{ $.latency > 100 || $.user.id = "u-2" }')).toHaveLength(2);
    expect(await filter('{ ($.latency < 100) && $.level = "INF*" }')).toEqual(['{"level":"INFO","latency":20,"user":{"id":"u-2"}}']);
    expect(await filter('{ $.missing NOT EXISTS && $.level != "ERROR" }')).toHaveLength(1);
    await expect(filter('{ $.level = }')).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('selects streams by name or prefix and by time', async () => {
    expect(await filter('ERROR', { logStreamNames: ['worker-1'] })).toEqual(['ERROR Exiting after signal']);
    expect(await filter(undefined, { logStreamNamePrefix: 'web', startTime: now - 700, endTime: now - 500 })).toHaveLength(2);
  });

  it('pages with nextToken until every event was seen once', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 4, nextToken }));
      seen.push(...(page.events ?? []).map((e) => e.message!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });
});

describe('persistence and the in-process API', () => {
  it('creates the group and stream on appendEvents and keeps everything across a restart', async () => {
    const api = local.aws['services'].get('logs') as LogsApi;
    await api.appendEvents('eu-west-1', '/aws/lambda/fn', '2026/01/01/[$LATEST]abc', [
      { timestamp: now, message: 'START RequestId: 1' },
      { timestamp: now + 1, message: 'line\nwith newline' },
    ]);
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir, region: 'eu-west-1' });
    logs = new CloudWatchLogsClient(local.clientConfig);
    const got = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/fn', logStreamName: '2026/01/01/[$LATEST]abc', startFromHead: true }),
    );
    expect(got.events?.map((e) => e.message)).toEqual(['START RequestId: 1', 'line\nwith newline']);
    const tags = await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/app/b' }));
    expect(tags.tags).toEqual({ owner: 'me' });
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: '/filter/app', filterPattern: 'ERROR' }));
    expect(filtered.events).toHaveLength(3);
  });
});
