import type { DlqListResult, DlqPeekResult, DlqPurgeResult, QueueSummary } from '../../ops/dlq.js';
import type { RedriveResult } from '../../ops/dlq-redrive.js';
import type { QueueMessage } from '../../ops/queue-messages.js';
import { formatAge, formatDuration } from '../../ops/units.js';
import { formatOutcomes } from './outcomes.js';
import type { Style } from './style.js';
import { count, cut, plural, shortTime, table } from './table.js';

interface Options {
  readonly json: boolean;
  readonly style: Style;
  /** For ages; the formatters stay pure. */
  readonly now?: number;
}

const depthCells = (q: QueueSummary) => [q.name, count(q.depth.visible), count(q.depth.inFlight), count(q.depth.delayed)];

export function formatDlqList(result: DlqListResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { dim, red, green } = options.style;
  const lines = table([['QUEUE', 'WAITING', 'IN FLIGHT', 'DELAYED'].map(dim), depthCells(result.ingest), depthCells(result.dlq)]);
  const { depth } = result.dlq;
  if (depth.visible + depth.inFlight === 0) lines.push(green('The dead-letter queue is empty.'));
  else {
    const days = depth.retentionSeconds ? ` SQS deletes each message ${formatAge(depth.retentionSeconds * 1000).replace(/ ago$/, '')} after it was first sent, unless redriven.` : '';
    lines.push(red(`${plural(depth.visible + depth.inFlight, 'message')} in the dead-letter queue.`) + days);
    lines.push('Look: tap dlq peek (a look adds one to each receive count); retry: tap dlq redrive');
  }
  return lines.join('\n');
}

function messageRows(messages: readonly QueueMessage[], style: Style): string[] {
  return table([
    ['MESSAGE', 'FILE', 'VERSION', 'RECEIVES', 'SENT', 'FIRST TRIED'].map(style.dim),
    ...messages.map((m) => [
      cut(m.messageId, 13),
      m.files.length ? m.files.map((f) => f.key).join(', ') : style.yellow(`(${m.unreadable ?? 'no file'})`),
      cut(m.files[0]?.versionId ?? '-', 16),
      String(m.receiveCount),
      shortTime(m.sentAt),
      shortTime(m.firstReceivedAt),
    ]),
  ]);
}

export function formatDlqPeek(result: DlqPeekResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  if (!result.messages.length) return options.style.green(`${result.queue.name} is empty.`);
  const total = result.queue.depth.visible + result.queue.depth.inFlight;
  return [
    `${plural(result.messages.length, 'message')} of about ${count(total)} in ${result.queue.name} (left in the queue, visible again):`,
    ...messageRows(result.messages, options.style),
    options.style.dim('RECEIVES includes this look and any earlier peek (SQS counts every receive; it has no other way to read a message).'),
  ].join('\n');
}

export function formatRedrive(result: RedriveResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { green, red, yellow } = options.style;
  const scope = result.key ? `about ${result.key} ` : '';
  if (result.matched === 0) return `No messages ${scope}in the dead-letter queue: nothing to redrive.`;
  const lines: string[] = [];
  if (result.dryRun) {
    lines.push(`Dry run: ${plural(result.matched, 'message')} ${scope}would move back to the ingest queue${result.messages.length < result.matched ? ` (first ${result.messages.length} shown)` : ''}:`);
    lines.push(...messageRows(result.messages, options.style));
    return lines.join('\n');
  }
  lines.push(`${green('✓')} Redrove ${plural(result.moved, 'message')} ${scope}to the ingest queue.`);
  for (const f of result.failures) lines.push(red(`  ✗ ${f.messageId} (${f.stage}): ${f.reason}`));
  if (result.outcomes) {
    const ok = result.outcomes.filter((o) => o.outcome === 'SUCCESS').length;
    const longest = Math.max(0, ...result.outcomes.map((o) => o.waitedMs));
    lines.push(`Pipeline: ${green(`${ok} succeeded`)}, ${ok < result.outcomes.length ? yellow(`${result.outcomes.length - ok} did not`) : '0 did not'} (waited ${formatDuration(longest)}):`);
    lines.push(...formatOutcomes(result.outcomes, options.style));
  }
  return lines.join('\n');
}

export function formatPurge(result: DlqPurgeResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  return result.purged ? `${options.style.green('✓')} Purged ${result.queue}: about ${plural(result.purged, 'message')} deleted.` : `${result.queue} is empty: nothing to purge.`;
}
