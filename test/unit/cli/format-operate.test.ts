import { describe, expect, it } from 'vitest';
import { formatDlqList, formatDlqPeek, formatPurge, formatRedrive } from '../../../src/cli/format/dlq.js';
import { formatLogLine } from '../../../src/cli/format/logs.js';
import { formatStatus } from '../../../src/cli/format/status.js';
import { plainStyle, type Style } from '../../../src/cli/format/style.js';
import { count, table } from '../../../src/cli/format/table.js';
import { formatUpload } from '../../../src/cli/format/upload.js';
import type { RedriveResult } from '../../../src/ops/dlq-redrive.js';
import { parseLogLine } from '../../../src/ops/log-lines.js';
import type { FileRun } from '../../../src/ops/metadata.js';
import type { QueueMessage } from '../../../src/ops/queue-messages.js';
import type { FileStatus, RecentStatus } from '../../../src/ops/status.js';
import type { UploadResult } from '../../../src/ops/upload.js';

/** Marks colours as tags, so tests can see them without a terminal. */
const tagged: Style = { bold: (s) => `<b>${s}</b>`, dim: (s) => s, green: (s) => `<green>${s}</green>`, red: (s) => `<red>${s}</red>`, yellow: (s) => `<yellow>${s}</yellow>` };
const plain = { json: false, style: plainStyle };

const run = (over: Partial<FileRun> = {}): FileRun => ({
  key: 'incoming/a.json',
  uploadedAt: '2026-01-05T10:00:00.000Z',
  status: 'SUCCESS',
  recordsProcessed: 990,
  recordsRejected: 10,
  durationMs: 350,
  size: 1_300_000,
  versionId: 'v-123',
  ...over,
});

const message: QueueMessage & { pipeline: 'files' | 'photos' } = {
  pipeline: 'files',
  messageId: 'msg-1',
  files: [{ key: 'incoming/t.json', versionId: 'v9', eventTime: '2026-01-05T10:00:00Z' }],
  receiveCount: 3,
  sentAt: '2026-01-05T10:00:00.000Z',
  firstReceivedAt: '2026-01-05T10:00:01.000Z',
  body: '{}',
};

describe('upload output', () => {
  const result: UploadResult = {
    bucket: 'tap-dev-uploads',
    files: [{ path: '/tmp/a.json', key: 'incoming/a.json', size: 2048, versionId: 'v-123', parts: 1, ms: 100 }],
    generated: { key: 'incoming/g.json', records: 100, valid: 90, invalid: 10, invalidByKind: { 'empty-status': 10 }, bytes: 2048 },
    outcomes: [
      { key: 'incoming/a.json', versionId: 'v-123', outcome: 'SUCCESS', run: run(), waitedMs: 2100 },
      { key: 'incoming/b.json', outcome: 'FAILED', run: run({ status: 'FAILED', error: 'not JSON at line 1', quarantineKey: 'quarantine/b.json' }), waitedMs: 900 },
      { key: 'incoming/c.json', outcome: 'DEAD_LETTERED', messageId: 'm', receiveCount: 3, waitedMs: 40_000 },
      { key: 'incoming/d.json', outcome: 'TIMED_OUT', waitedMs: 120_000 },
    ],
    ok: false,
  };

  it('summarises the files, the generated content and each outcome', () => {
    const text = formatUpload(result, plain);
    expect(text).toMatch(/^✓ Uploaded 1 file to tap-dev-uploads \(2\.0 KiB in 100 ms, 20\.0 KiB\/s\)/);
    expect(text).toMatch(/incoming\/a\.json\s+2\.0 KiB\s+v-123\s+1\s+100 ms/);
    expect(text).toContain('Generated incoming/g.json: 100 records, 90 valid, 10 invalid (empty-status 10)');
    expect(text).toMatch(/✓\s+incoming\/a\.json\s+SUCCESS\s+990 processed, 10 rejected/);
    expect(text).toMatch(/✗\s+incoming\/b\.json\s+FAILED\s+not JSON at line 1\s+quarantined as quarantine\/b\.json/);
    expect(text).toMatch(/incoming\/c\.json\s+DEAD-LETTERED\s+after 3 receive\(s\)\s+retry: tap dlq redrive --file incoming\/c\.json/);
    expect(text).toMatch(/incoming\/d\.json\s+NO OUTCOME YET\s+after 2m 00s/);
  });

  it('is the result itself with --json', () => {
    expect(JSON.parse(formatUpload(result, { json: true, style: tagged }))).toEqual(result);
  });

  it('colours through the style only', () => {
    expect(formatUpload(result, { json: false, style: tagged })).toContain('<red>FAILED</red>');
    expect(formatUpload(result, plain)).not.toMatch(/\x1b\[/);
  });
});

describe('status output', () => {
  const file: FileStatus = {
    kind: 'file',
    key: 'incoming/a.json',
    bucket: 'b',
    known: true,
    runs: [run(), run({ uploadedAt: '2026-01-04T09:00:00.000Z', status: 'FAILED', recordsProcessed: 0, recordsRejected: 0, error: 'unsupported file type' })],
    matchingRuns: 3,
    totalRuns: 3,
    outputs: { processed: 's3://b/processed/a.json.ndjson', rejected: 's3://b/rejected/a.json.errors.ndjson' },
    rejects: [{ record_number: 12, line: 14, field: 'shipment_id', reason: 'missing', record: { status: 'X' } }],
    deadLettered: [message],
    dlq: { messages: 1, looked: true },
    suggestions: [],
  };

  it('shows the history newest first, the outputs, the first rejects and the DLQ', () => {
    const text = formatStatus(file, plain);
    expect(text).toContain('History (newest 2 of 3), newest first:');
    expect(text.indexOf('2026-01-05 10:00:00')).toBeLessThan(text.indexOf('2026-01-04 09:00:00'));
    expect(text).toMatch(/Processed output:\s+s3:\/\/b\/processed\/a\.json\.ndjson/);
    expect(text).toMatch(/Rejected records:\s+s3:\/\/b\/rejected\/a\.json\.errors\.ndjson/);
    expect(text).toContain('#12 (line 14) shipment_id: missing  {"status":"X"}');
    expect(text).toContain('In the dead-letter queue: 1 message about this file (received 3 times, this look included; first tried 2026-01-05 10:00:01).');
    expect(text).toContain('tap dlq redrive --file incoming/a.json');
  });

  it('a big file still running: its phase, counts and when its run started; a reject too large to show, without its record', () => {
    const running: FileStatus = {
      ...file,
      rejects: [{ record_number: 2, line: 2, field: null, reason: 'record is 307,245 bytes as JSON', record_omitted: 'too large to show here; it is in the rejected output' }],
      progress: { executionArn: 'arn:x', status: 'RUNNING', phase: 'writing', startedAt: '2026-01-05T10:00:05.000Z', recordsWritten: 4000, recordsTotal: 20000, batchesDone: 4, batchesTotal: 20, batchesFailed: 0 },
    };
    const text = formatStatus(running, plain);
    expect(text).toContain('Big file, being processed by its state machine (run started 2026-01-05 10:00:05 UTC): writing: 4,000 of 20,000 records');
    expect(text).toContain('#2 (line 2) record is 307,245 bytes as JSON  (record too large to show here; it is in the rejected output)');
  });

  it('says an unknown key is unknown and suggests the closest ones', () => {
    const unknown: FileStatus = { ...file, known: false, runs: [], matchingRuns: 0, totalRuns: 0, outputs: {}, rejects: [], deadLettered: [], suggestions: ['incoming/ab.json', 'incoming/b.json'] };
    const text = formatStatus(unknown, plain);
    expect(text).toContain('No such file');
    expect(text).toContain('Did you mean: incoming/ab.json, incoming/b.json?');
  });

  it('says an uploaded file has no outcome yet', () => {
    const pending: FileStatus = { ...file, runs: [], matchingRuns: 0, totalRuns: 0, outputs: {}, rejects: [], deadLettered: [], object: { size: 10, lastModified: '2026-01-05T10:00:00.000Z' } };
    expect(formatStatus(pending, plain)).toContain('Uploaded 2026-01-05 10:00:00 (10 B) but not processed yet');
  });

  it('no outcome while the DLQ holds messages it did not look at: says so, and how to look', () => {
    const unlooked: FileStatus = { ...file, runs: [], matchingRuns: 0, totalRuns: 0, outputs: {}, rejects: [], deadLettered: [], dlq: { messages: 2, looked: false }, object: { size: 10, lastModified: '2026-01-05T10:00:00.000Z' } };
    const text = formatStatus(unlooked, plain);
    expect(text).toContain('2 messages wait in the dead-letter queue; this file may be one of them.');
    expect(text).toContain("tap status --file incoming/a.json --dlq (a look adds one to each message's receive count)");
    expect(text).not.toContain('Nothing about this file in the dead-letter queue');
  });

  it('says when the last attempt timed out and when the retry is due, instead of "not processed yet"', () => {
    const lastAttempt = {
      requestId: 'r-1',
      startedAt: '2026-01-05T10:00:00.000Z',
      endedAt: '2026-01-05T10:02:00.000Z',
      outcome: 'timeout' as const,
      detail: 'Task timed out after 120.00 seconds',
      retryDueAt: '2026-01-05T10:12:00.000Z',
    };
    const waiting: FileStatus = { ...file, runs: [], matchingRuns: 0, totalRuns: 0, outputs: {}, rejects: [], deadLettered: [], object: { size: 10, lastModified: '2026-01-05T09:59:59.000Z' }, lastAttempt };
    const text = formatStatus(waiting, plain);
    expect(text).not.toContain('not processed yet');
    expect(text).toContain('The last attempt timed out (Task timed out after 120.00 seconds) at 2026-01-05 10:02:00 UTC (request r-1)');
    expect(text).toMatch(/The retry is due (about 2026-01-05 10:12:00 UTC|now)/);
    const crashed = formatStatus({ ...waiting, lastAttempt: { ...lastAttempt, outcome: 'crash', detail: 'Runtime.ExitError' } }, plain);
    expect(crashed).toContain('The last attempt crashed (Runtime.ExitError)');
  });

  it('lists recent files with totals over the window', () => {
    const recent: RecentStatus = {
      kind: 'recent',
      since: '2026-01-04T10:00:00.000Z',
      runs: [run(), run({ key: 'incoming/b.json', status: 'FAILED', recordsProcessed: 0, recordsRejected: 0 })],
      totals: { files: 40, succeeded: 38, failed: 2, recordsProcessed: 12_345, recordsRejected: 67, capped: false },
      dlqDepth: 2,
    };
    const text = formatStatus(recent, plain);
    expect(text).toContain('Files uploaded since 2026-01-04 10:00:00 UTC; newest 2 of 40:');
    expect(text).toMatch(/UPLOADED\s+STATUS\s+PROCESSED\s+REJECTED\s+DURATION\s+SIZE\s+KEY/);
    expect(text).toContain('Totals: 40 files: 38 succeeded, 2 failed; 12,345 records processed, 67 rejected.');
    expect(text).toContain('Dead-letter queue: 2 messages (tap dlq peek)');
  });

  it('--status FAILED: an ERROR column says why; totals name files and, when more, uploads', () => {
    const failed: RecentStatus = {
      kind: 'recent',
      since: '2026-01-04T10:00:00.000Z',
      status: 'FAILED',
      runs: [run({ key: 'incoming/b.json', status: 'FAILED', recordsProcessed: 0, recordsRejected: 0, error: 'Unexpected token } in JSON at line 3' })],
      totals: { files: 1, uploads: 3, succeeded: 0, failed: 1, recordsProcessed: 0, recordsRejected: 0, capped: false },
      dlqDepth: 0,
    };
    const text = formatStatus(failed, plain);
    expect(text).toMatch(/STATUS\s+PROCESSED\s+REJECTED\s+DURATION\s+SIZE\s+KEY\s+ERROR/);
    expect(text).toMatch(/incoming\/b\.json\s+Unexpected token \} in JSON at line 3/);
    expect(text).toContain('Totals: 1 file (3 uploads): 0 succeeded, 1 failed;');
  });
});

describe('dlq output', () => {
  const depth = (visible: number) => ({ visible, inFlight: 0, delayed: 0, retentionSeconds: 1_209_600 });

  it("lists each pipeline's queue and DLQ, which DLQs hold messages, and how long SQS keeps them", () => {
    const ingest = { name: 'tap-dev-ingest', url: 'u', depth: depth(4) };
    const dlq = { name: 'tap-dev-ingest-dlq', url: 'd', depth: depth(2) };
    const photos = { pipeline: 'photos' as const, queue: { name: 'tap-dev-pod', url: 'p', depth: depth(0) }, dlq: { name: 'tap-dev-pod-dlq', url: 'pd', depth: depth(1) } };
    const text = formatDlqList({ ingest, dlq, pipelines: [{ pipeline: 'files', queue: ingest, dlq }, photos] }, plain);
    expect(text).toMatch(/PIPELINE\s+QUEUE\s+WAITING/);
    expect(text).toMatch(/files\s+tap-dev-ingest\s+4\s+0\s+0/);
    expect(text).toMatch(/files\s+tap-dev-ingest-dlq\s+2\s+0\s+0/);
    expect(text).toMatch(/photos\s+tap-dev-pod-dlq\s+1\s+0\s+0/);
    expect(text).toContain("2 messages in the files pipeline's dead-letter queue (tap-dev-ingest-dlq).");
    expect(text).toContain("1 message in the photos pipeline's dead-letter queue (tap-dev-pod-dlq).");
    expect(text).toContain('SQS deletes each message 14d after it was first sent, unless redriven.');
    expect(text).toContain('tap dlq peek (a look adds one to each receive count)');
    const empty = { ...photos, dlq: { ...photos.dlq, depth: depth(0) } };
    expect(formatDlqList({ ingest, dlq: { ...dlq, depth: depth(0) }, pipelines: [{ pipeline: 'files', queue: ingest, dlq: { ...dlq, depth: depth(0) } }, empty] }, plain)).toContain('The dead-letter queues are empty.');
  });

  it('peeks: the file, version, receives and times of each message', () => {
    const queues = [{ pipeline: 'files' as const, name: 'dlq', url: 'd', depth: depth(1) }, { pipeline: 'photos' as const, name: 'pod-dlq', url: 'pd', depth: depth(1) }];
    const photo = { ...message, messageId: 'msg-2', pipeline: 'photos' as const, files: [{ key: 'pod/S-1/a.jpg', versionId: 'v1', eventTime: '2026-01-05T10:00:00Z' }] };
    const text = formatDlqPeek({ queues, messages: [message, { ...message, messageId: 'bad', files: [], unreadable: 'message body is not JSON' }, photo], receiveCountIncludesThisLook: true }, plain);
    expect(text).toContain('RECEIVES includes this look');
    expect(text).toContain('3 messages of about 2 in dlq and pod-dlq');
    expect(text).toMatch(/msg-1\s+files\s+incoming\/t\.json\s+v9\s+3\s+2026-01-05 10:00:00\s+2026-01-05 10:00:01/);
    expect(text).toMatch(/msg-2\s+photos\s+pod\/S-1\/a\.jpg\s+v1/);
    expect(text).toContain('(message body is not JSON)');
  });

  it('redrive: dry run, result with failures, and outcomes', () => {
    const base: RedriveResult = { mode: 'file', key: 'incoming/t.json', dryRun: true, matched: 1, moved: 0, failures: [], messages: [message], pipelines: ['files'] };
    expect(formatRedrive(base, plain)).toContain('Dry run: 1 message about incoming/t.json would move back to the queue they came from:');
    expect(formatRedrive({ ...base, matched: 0, messages: [] }, plain)).toBe("No messages about incoming/t.json in the files pipeline's dead-letter queue: nothing to redrive.");
    const { key: _key, ...all } = base;
    expect(formatRedrive({ ...all, mode: 'all', matched: 0, messages: [], pipelines: ['files', 'photos'] }, plain)).toBe('No messages in the dead-letter queues: nothing to redrive.');
    // Redriving everything without --wait looks at no message: the queue is named from the pipelines that had some.
    expect(formatRedrive({ ...all, mode: 'all', dryRun: false, matched: 3, moved: 3, messages: [], pipelines: ['photos'] }, plain)).toBe("✓ Redrove 3 messages to the photos pipeline's queue.");
    expect(formatRedrive({ ...all, mode: 'all', dryRun: false, matched: 3, moved: 3, messages: [], pipelines: ['files', 'photos'] }, plain)).toBe('✓ Redrove 3 messages to the queues they came from.');
    const done = formatRedrive(
      {
        ...base,
        dryRun: false,
        moved: 1,
        failures: [{ messageId: 'm2', stage: 'send', reason: 'InternalError: x (it stays in the DLQ)' }],
        outcomes: [{ key: 'incoming/t.json', outcome: 'SUCCESS', run: run({ key: 'incoming/t.json' }), waitedMs: 3000 }],
      },
      plain,
    );
    expect(done).toContain("✓ Redrove 1 message about incoming/t.json to the files pipeline's queue.");
    expect(done).toContain('✗ m2 (send): InternalError: x (it stays in the DLQ)');
    expect(done).toContain('Pipeline: 1 succeeded, 0 did not (waited 3.0 s):');
  });

  it('redrive: a version that already had its outcome says so instead of a wait', () => {
    const text = formatRedrive(
      {
        mode: 'file', key: 'incoming/t.json', dryRun: false, matched: 2, moved: 2, failures: [], messages: [message, message], pipelines: ['files'],
        outcomes: [
          { key: 'incoming/t.json', outcome: 'SUCCESS', run: run({ key: 'incoming/t.json', processedAt: '2026-01-05T10:00:02.000Z' }), waitedMs: 0, alreadyProcessed: true },
          { key: 'incoming/u.json', outcome: 'FAILED', run: run({ key: 'incoming/u.json', status: 'FAILED', error: 'not JSON', quarantineKey: 'quarantine/u.json' }), waitedMs: 0, alreadyProcessed: true },
        ],
      },
      plain,
    );
    expect(text).toMatch(/incoming\/t\.json\s+SUCCESS\s+990 processed.*already processed at 2026-01-05T10:00:02.000Z, so not run again/);
    expect(text).toMatch(/incoming\/u\.json\s+FAILED\s+not JSON\s+quarantined as quarantine\/u\.json; already processed/);
    expect(text).not.toContain('after 0');
  });

  it('purge', () => {
    const queues = [{ pipeline: 'files' as const, queue: 'dlq', purged: 3 }, { pipeline: 'photos' as const, queue: 'pod-dlq', purged: 1 }];
    expect(formatPurge({ queues, purged: 4 }, plain)).toBe('✓ Purged dlq (files): about 3 messages deleted.\n✓ Purged pod-dlq (photos): about 1 message deleted.');
    expect(formatPurge({ queues: [], purged: 0 }, plain)).toBe('The dead-letter queues are empty: nothing to purge.');
  });
});

describe('log lines output', () => {
  const at = Date.parse('2026-01-05T10:00:03.250Z');
  const processed = parseLogLine({
    timestamp: at,
    eventId: '1',
    message: JSON.stringify({ level: 'INFO', message: 'file processed', service: 'shipment-processor', s3_key: 'incoming/a.json', records_processed: 25, records_rejected: 0, cold_start: true }),
  });

  it('pretty-prints time, level, message and the key fields first', () => {
    expect(formatLogLine(processed, plain)).toBe('10:00:03.250 INFO  file processed  s3_key=incoming/a.json records_processed=25 records_rejected=0');
    expect(formatLogLine({ ...processed, pipeline: 'files' }, plain)).toBe(formatLogLine(processed, plain));
    expect(formatLogLine({ ...processed, pipeline: 'photos' }, plain)).toMatch(/^10:00:03\.250 INFO {2}\[photos\] file processed {2}s3_key=/);
  });

  it('shows errors in red, with the error as name: message', () => {
    const error = parseLogLine({ timestamp: at, eventId: '2', message: JSON.stringify({ level: 'ERROR', message: 'transient error', error: { name: 'ThrottlingException', message: 'Rate exceeded', stack: '…' } }) });
    expect(formatLogLine(error, { json: false, style: tagged })).toBe('10:00:03.250 <red>ERROR</red> <b>transient error</b>  error="ThrottlingException: Rate exceeded"');
  });

  it('shows platform records with their record fields, and text lines as they are', () => {
    const report = parseLogLine({ timestamp: at, eventId: '3', message: '{"time":"x","type":"platform.report","record":{"requestId":"r1","metrics":{"durationMs":12}}}' });
    expect(formatLogLine(report, plain)).toBe('10:00:03.250       platform.report  requestId=r1 metrics={"durationMs":12}');
    expect(formatLogLine(parseLogLine({ timestamp: at, eventId: '4', message: 'START RequestId: r1' }), plain)).toBe('10:00:03.250       START RequestId: r1');
  });

  it('passes JSON lines through raw with --json, and wraps text lines as JSON', () => {
    expect(formatLogLine(processed, { json: true, style: plainStyle })).toBe(processed.raw);
    expect(JSON.parse(formatLogLine(parseLogLine({ timestamp: at, eventId: '4', message: 'START RequestId: r1' }), { json: true, style: plainStyle }))).toEqual({ timestamp: '2026-01-05T10:00:03.250Z', message: 'START RequestId: r1' });
  });
});

describe('table', () => {
  it('pads columns to the widest cell, ignoring colour codes', () => {
    expect(table([['a', 'bb', 'c'], ['\x1b[31mlong\x1b[0m', 'x', 'y']], '')).toEqual(['a     bb  c', '\x1b[31mlong\x1b[0m  x   y']);
  });

  it('groups thousands as en-US does (without loading ICU locale data)', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 1_234_567, -1234.5, 0.25, 98_765.125]) expect(count(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('deploy changes', () => {
  it('type first, in a column as wide as the longest type; long logical ids do not push it right', async () => {
    const { formatChanges } = await import('../../../src/cli/format/deploy.js');
    const lines = formatChanges(
      [
        { action: 'Add', logicalId: 'Queue', type: 'AWS::SQS::Queue' },
        { action: 'Add', logicalId: `PartnerApistatusGETApiPermission${'X'.repeat(50)}`, type: 'AWS::Lambda::Permission' },
        { action: 'Modify', logicalId: 'Table', type: 'AWS::DynamoDB::Table', replacement: 'True' },
      ] as never,
      plainStyle,
    );
    expect(lines).toEqual([
      '  + AWS::SQS::Queue          Queue',
      `  + AWS::Lambda::Permission  PartnerApistatusGETApiPermission${'X'.repeat(50)}`,
      '  ~ AWS::DynamoDB::Table     Table (replacement: True)',
    ]);
  });
});
