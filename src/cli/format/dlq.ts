import type { DeadLetter, DlqListResult, DlqPeekResult, DlqPurgeResult, QueueSummary } from '../../ops/dlq.js';
import type { RedriveResult } from '../../ops/dlq-redrive.js';
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

const depthCells = (pipeline: string, q: QueueSummary) => [pipeline, q.name, count(q.depth.visible), count(q.depth.inFlight), count(q.depth.delayed)];

export function formatDlqList(result: DlqListResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { dim, red, green } = options.style;
  const lines = table([['PIPELINE', 'QUEUE', 'WAITING', 'IN FLIGHT', 'DELAYED'].map(dim), ...result.pipelines.flatMap((p) => [depthCells(p.pipeline, p.queue), depthCells(p.pipeline, p.dlq)])]);
  const dead = result.pipelines.filter((p) => p.dlq.depth.visible + p.dlq.depth.inFlight > 0);
  if (!dead.length) lines.push(green(result.pipelines.length > 1 ? 'The dead-letter queues are empty.' : 'The dead-letter queue is empty.'));
  else {
    for (const { pipeline, dlq } of dead) lines.push(red(`${plural(dlq.depth.visible + dlq.depth.inFlight, 'message')} in the ${pipeline} pipeline's dead-letter queue (${dlq.name}).`));
    const retention = dead[0]!.dlq.depth.retentionSeconds;
    if (retention) lines.push(`SQS deletes each message ${formatAge(retention * 1000).replace(/ ago$/, '')} after it was first sent, unless redriven.`);
    lines.push('Look: tap dlq peek (a look adds one to each receive count); retry: tap dlq redrive');
  }
  return lines.join('\n');
}

function messageRows(messages: readonly DeadLetter[], style: Style): string[] {
  return table([
    ['MESSAGE', 'PIPELINE', 'FILE', 'VERSION', 'RECEIVES', 'SENT', 'FIRST TRIED'].map(style.dim),
    ...messages.map((m) => [
      cut(m.messageId, 13),
      m.pipeline,
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
  const names = result.queues.map((q) => q.name).join(' and ');
  if (!result.messages.length) return options.style.green(`${names} ${result.queues.length > 1 ? 'are' : 'is'} empty.`);
  const total = result.queues.reduce((n, q) => n + q.depth.visible + q.depth.inFlight, 0);
  return [
    `${plural(result.messages.length, 'message')} of about ${count(total)} in ${names} (left in the queue, visible again):`,
    ...messageRows(result.messages, options.style),
    options.style.dim('RECEIVES includes this look and any earlier peek (SQS counts every receive; it has no other way to read a message).'),
  ].join('\n');
}

export function formatRedrive(result: RedriveResult, options: Options): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { green, red, yellow } = options.style;
  const scope = result.key ? `about ${result.key} ` : '';
  const where = result.pipelines.length === 1 ? `the ${result.pipelines[0]} pipeline's dead-letter queue` : 'the dead-letter queues';
  if (result.matched === 0) return `No messages ${scope}in ${where}: nothing to redrive.`;
  const lines: string[] = [];
  if (result.dryRun) {
    lines.push(`Dry run: ${plural(result.matched, 'message')} ${scope}would move back to the queue they came from${result.messages.length < result.matched ? ` (first ${result.messages.length} shown)` : ''}:`);
    lines.push(...messageRows(result.messages, options.style));
    return lines.join('\n');
  }
  const to = result.pipelines.length === 1 ? `the ${result.pipelines[0]} pipeline's queue` : 'the queues they came from';
  lines.push(`${green('✓')} Redrove ${plural(result.moved, 'message')} ${scope}to ${to}.`);
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
  if (!result.purged) return 'The dead-letter queues are empty: nothing to purge.';
  return result.queues.map((q) => `${options.style.green('✓')} Purged ${q.queue} (${q.pipeline}): about ${plural(q.purged, 'message')} deleted.`).join('\n');
}
