import type { FileRun } from '../../ops/metadata.js';
import type { Outcome } from '../../ops/wait.js';
import { formatDuration } from '../../ops/units.js';
import type { Style } from './style.js';
import { count, cut, table } from './table.js';

/** Where followed files ended up (`upload --wait`, `dlq redrive --wait`). Pure. */
export function formatOutcomes(outcomes: readonly Outcome[], style: Style): string[] {
  const rows = outcomes.map((o) => {
    switch (o.outcome) {
      case 'SUCCESS':
        return [
          style.green('✓'),
          o.key,
          style.green('SUCCESS'),
          o.run.image
            ? `${o.run.image.format.toUpperCase()} ${o.run.image.width} × ${o.run.image.height}${o.run.image.capturedAt ? `, taken ${o.run.image.capturedAt}` : ''}`
            : `${count(o.run.recordsProcessed)} processed, ${o.run.recordsRejected ? style.yellow(`${count(o.run.recordsRejected)} rejected`) : '0 rejected'}`,
          style.dim(o.alreadyProcessed ? already(o.run) : `after ${formatDuration(o.waitedMs)} (processing ${formatDuration(o.run.durationMs)})`),
        ];
      case 'FAILED':
        return [
          style.red('✗'),
          o.key,
          style.red('FAILED'),
          cut(o.run.error, 80),
          style.dim([o.run.quarantineKey && `quarantined as ${o.run.quarantineKey}`, o.alreadyProcessed && already(o.run)].filter(Boolean).join('; ')),
        ];
      case 'DEAD_LETTERED':
        return [style.red('✗'), o.key, style.red('DEAD-LETTERED'), `after ${o.receiveCount} receive(s)`, style.dim(`retry: tap dlq redrive --file ${o.key}`)];
      case 'TIMED_OUT':
        return [style.yellow('…'), o.key, style.yellow('NO OUTCOME YET'), `after ${formatDuration(o.waitedMs)}`, style.dim(`see later: tap status --file ${o.key}`)];
    }
  });
  return table(rows);
}

/** A redriven version that had its outcome already: the processor skips it, so this is the answer. */
const already = (run: FileRun) =>
  `already processed${run.processedAt ? ` at ${run.processedAt}` : ''}, so not run again`;
