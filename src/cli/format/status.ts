import type { FileRun } from '../../ops/metadata.js';
import type { FileStatus, RecentStatus, StatusResult } from '../../ops/status.js';
import { formatBytes, formatDuration } from '../../ops/units.js';
import { describeProgress } from '../../shared/big-file-progress.js';
import type { Style } from './style.js';
import { count, cut, plural, shortTime, table } from './table.js';

/** The result of `tap status`, as text or JSON. Pure. */
const RUN_HEADERS = ['UPLOADED', 'STATUS', 'PROCESSED', 'REJECTED', 'DURATION', 'SIZE'];

/** The cells every table of processings starts with. */
function runCells(r: FileRun, style: Style): string[] {
  return [
    shortTime(r.uploadedAt),
    statusCell(r, style),
    count(r.recordsProcessed),
    r.recordsRejected ? style.yellow(count(r.recordsRejected)) : '0',
    formatDuration(r.durationMs),
    formatBytes(r.size),
  ];
}

export function formatStatus(result: StatusResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  return (result.kind === 'file' ? fileLines(result, options.style) : recentLines(result, options.style)).join('\n');
}

/** `Delivered to the webhook after 3 attempts (HTTP 200, 12:00:03)`, or why not. */
export function deliveryLine(d: NonNullable<FileRun['delivery']>, style: Style, key: string): string {
  const attempts = plural(d.attempts, 'attempt');
  const last = [d.httpStatus !== undefined ? `HTTP ${d.httpStatus}` : d.error, d.at ? shortTime(d.at) : undefined].filter(Boolean).join(', ');
  const text: Record<typeof d.status, string> = {
    DELIVERED: style.green(`  Delivered to the webhook after ${attempts}`),
    FAILED: style.red(`  Not delivered to the webhook: gave up after ${attempts}`),
    RETRYING: style.yellow(`  Webhook delivery: ${attempts} failed so far, retrying`),
    SENDING: `  Webhook delivery: sending (attempt ${d.attempts})`,
  };
  return `${text[d.status] ?? `  Webhook delivery: ${d.status}`}${last ? ` (last: ${last})` : ''}${d.status === 'FAILED' ? `; retry: tap deliveries retry --file ${key}` : ''}`;
}

const statusCell = (run: FileRun, style: Style) => (run.status === 'SUCCESS' ? style.green(run.status) : run.status === 'PROCESSING' ? style.yellow(run.status) : style.red(run.status));

function fileLines(result: FileStatus, style: Style): string[] {
  const { bold, dim } = style;
  const lines = [`${bold(result.key)} ${dim(`(s3://${result.bucket}/${result.key})`)}`];
  if (!result.totalRuns) {
    if (result.object && result.lastAttempt) {
      lines.push(`  Uploaded ${shortTime(result.object.lastModified)} (${formatBytes(result.object.size)}${result.object.versionId ? `, version ${result.object.versionId}` : ''}); nothing recorded yet.`);
      lines.push(...attemptLines(result.lastAttempt, result.key, style));
    } else if (result.object) {
      lines.push(`  Uploaded ${shortTime(result.object.lastModified)} (${formatBytes(result.object.size)}${result.object.versionId ? `, version ${result.object.versionId}` : ''}) but not processed yet: it is in the queue, being processed, or waiting to be retried.`);
    } else if (result.deadLettered.length) {
      lines.push('  No processing recorded: its message is in the dead-letter queue.');
    } else if (result.dlq.messages && !result.dlq.looked) {
      lines.push('  No processing recorded, and no such object in the bucket.');
    } else {
      lines.push(`  No such file: nothing was uploaded or processed under this key.`);
      if (result.suggestions.length) lines.push(`  Did you mean: ${result.suggestions.join(', ')}?`);
    }
  } else if (!result.runs.length) {
    lines.push(`  None of its ${plural(result.totalRuns, 'processing')} matches --status/--since.`);
  } else {
    const shown = result.runs.length < result.matchingRuns ? ` (newest ${result.runs.length} of ${result.matchingRuns})` : '';
    lines.push(`  History${shown}, newest first:`);
    lines.push(
      ...table(
        [
          [...RUN_HEADERS, 'VERSION', 'ERROR'].map(dim),
          ...result.runs.map((r) => [...runCells(r, style), cut(r.versionId ?? '-', 20), cut(r.error, 60)]),
        ],
        '    ',
      ),
    );
  }
  if (result.progress) {
    const started = result.progress.startedAt ? ` (run started ${shortTime(result.progress.startedAt)} UTC)` : '';
    lines.push(`  Big file, being processed by its state machine${started}: ${describeProgress(result.progress)}`);
  }
  const newest = result.runs[0];
  if (newest?.recordsFailed) {
    lines.push(style.yellow(`  ${newest.recordsFailed} accepted record(s) were not written (failed batches within the tolerance)${newest.failedBatchesKey ? `; listed in s3://${result.bucket}/${newest.failedBatchesKey}` : ''}.`));
  }
  const delivery = newest?.delivery;
  if (delivery) lines.push(deliveryLine(delivery, style, result.key));
  const outputs = [
    ['Processed output', result.outputs.processed],
    ['Rejected records', result.outputs.rejected],
    ['Quarantined copy', result.outputs.quarantine],
  ].filter((o): o is [string, string] => Boolean(o[1]));
  if (outputs.length) lines.push(...table(outputs.map(([label, uri]) => [`${label}:`, uri])));
  if (result.rejects.length) {
    lines.push(`  First rejected records:`);
    for (const r of result.rejects) {
      const where = `#${r.record_number}${r.line !== undefined ? ` (line ${r.line})` : ''}`;
      lines.push(`    ${where} ${r.field ? `${r.field}: ` : ''}${r.reason}${r.record !== undefined ? dim(`  ${cut(JSON.stringify(r.record), 80)}`) : r.record_omitted ? dim(`  (record ${r.record_omitted})`) : ''}`);
    }
  }
  if (result.deadLettered.length) {
    const first = result.deadLettered[0]!;
    lines.push(
      style.red(`  In the dead-letter queue: ${plural(result.deadLettered.length, 'message')} about this file`) +
        ` (received ${first.receiveCount} times, this look included${first.firstReceivedAt ? `; first tried ${shortTime(first.firstReceivedAt)}` : ''}).`,
      `  Retry it: tap dlq redrive --file ${result.key}`,
    );
  } else if (result.dlq.looked) {
    lines.push(dim('  Nothing about this file in the dead-letter queue.'));
  } else if (result.dlq.messages && !result.totalRuns) {
    // No outcome while the DLQ holds something: it may be there, but looking is a receive.
    lines.push(
      style.yellow(`  ${plural(result.dlq.messages, 'message')} wait in the dead-letter queue; this file may be one of them.`),
      `  Look: tap status --file ${result.key} --dlq (a look adds one to each message's receive count)`,
    );
  }
  return lines;
}

/** A time-out or crash of the last attempt, and when SQS hands the message out again. */
function attemptLines(a: NonNullable<FileStatus['lastAttempt']>, key: string, style: Style, now = Date.now()): string[] {
  const what = a.outcome === 'timeout' ? `timed out (${a.detail})` : `crashed (${a.detail})`;
  const lines = [style.red(`  The last attempt ${what} at ${shortTime(a.endedAt)} UTC`) + style.dim(` (request ${a.requestId})`)];
  if (a.retryDueAt) {
    const inMs = Date.parse(a.retryDueAt) - now;
    const when = inMs > 0 ? `about ${shortTime(a.retryDueAt)} UTC (in ${formatDuration(inMs)})` : 'now (its visibility timeout has run out)';
    lines.push(`  The retry is due ${when}, when its message becomes visible in the ingest queue again.`);
  }
  lines.push(style.dim(`  Its log lines: tap logs --file ${key} --since 2h`));
  return lines;
}

function recentLines(result: RecentStatus, style: Style): string[] {
  const { dim, red } = style;
  const t = result.totals;
  const what = result.status ? `${result.status} files` : 'Files';
  const shown = result.runs.length < t.files ? `; newest ${result.runs.length} of ${count(t.files)}${t.capped ? '+' : ''}` : '';
  const lines = [`${what} uploaded since ${shortTime(result.since)} UTC${shown}:`];
  const withErrors = result.runs.some((r) => r.error);
  if (!result.runs.length) lines.push('  None.');
  else {
    lines.push(
      ...table([
        // Failed runs say why (a column only when some run has an error).
        [...RUN_HEADERS, 'KEY', ...(withErrors ? ['ERROR'] : [])].map(dim),
        ...result.runs.map((r) => [...runCells(r, style), r.key, ...(withErrors ? [cut(r.error ?? '', 60)] : [])]),
      ]),
    );
  }
  const more = t.capped ? ' (counted up to 5,000 per status)' : '';
  lines.push(
    `Totals: ${plural(t.files, 'file')}${t.uploads ? ` (${count(t.uploads)} uploads)` : ''}${more}: ${count(t.succeeded)} succeeded, ${t.failed ? red(`${count(t.failed)} failed`) : '0 failed'}; ` +
      `${count(t.recordsProcessed)} records processed, ${count(t.recordsRejected)} rejected.`,
  );
  if (result.dlqDepth) lines.push(red(`Dead-letter queue: ${plural(result.dlqDepth, 'message')}`) + ' (tap dlq peek)');
  return lines;
}
