import type { Command } from 'commander';
import { parseCount, parseTimeout } from '../../ops/flags.js';
import { confirmOnTerminal } from '../context.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface RedriveFlags extends OperateFlags {
  file?: string;
  dryRun: boolean;
  rate?: string;
  wait: boolean;
  timeout: string;
  yes: boolean;
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('The dead-letter queue: files whose processing kept failing')
    .addHelpText('after', '\nExamples:\n  $ tap dlq list\n  $ tap dlq peek -n 5\n  $ tap dlq redrive --file shipments.json --wait\n  $ tap dlq purge --yes');

  operateOptions(dlq.command('list').description('How many messages wait in the ingest queue and the DLQ; age of the oldest dead-lettered one'), [
    'tap dlq list',
    'tap dlq list --env prod --json',
  ]).action((flags: OperateFlags) =>
    operate(flags, async ({ clients, pipeline, style }) => {
      const [{ dlqList }, { formatDlqList }] = await Promise.all([import('../../ops/dlq.js'), import('../format/dlq.js')]);
      print(formatDlqList(await dlqList(clients, pipeline), { json: flags.json, style }));
    }),
  );

  operateOptions(
    dlq.command('peek').description('Show dead-lettered messages (file, receive count, first failure) without consuming them').option('-n, --count <n>', 'messages to show', '10'),
    ['tap dlq peek', 'tap dlq peek -n 50 --json | jq -r ".messages[].files[].key"'],
  ).action(async (flags: OperateFlags & { count: string }) => {
    const count = parseCount(flags.count, '--count', { max: 1000 });
    await operate(flags, async ({ clients, pipeline, style }) => {
      const [{ dlqPeek }, { formatDlqPeek }] = await Promise.all([import('../../ops/dlq.js'), import('../format/dlq.js')]);
      print(formatDlqPeek(await dlqPeek(clients, pipeline, { count }), { json: flags.json, style }));
    });
  });

  operateOptions(
    dlq
      .command('redrive')
      .description('Move dead-lettered messages back to the ingest queue (all of them with a move task, or one file\'s)')
      .option('--file <key>', "only the messages about this file (key with or without incoming/)")
      .option('--dry-run', 'show what would move; move nothing', false)
      .option('--rate <n>', 'messages per second')
      .option('--wait', 'then follow the redriven files until each has an outcome (exit code 1 if any did not succeed)', false)
      .option('--timeout <duration>', 'how long --wait waits: seconds or a duration (90, 5m)', '120')
      .option('-y, --yes', 'redrive everything in a protected environment without asking', false),
    ['tap dlq redrive --dry-run', 'tap dlq redrive --rate 10 --wait', 'tap dlq redrive --file shipments.json', 'tap dlq redrive --env prod --yes'],
  ).action(async (flags: RedriveFlags) => {
    const options = {
      ...(flags.file !== undefined && { file: flags.file }),
      dryRun: flags.dryRun,
      ...(flags.rate !== undefined && { rate: parseCount(flags.rate, '--rate', { max: 500 }) }),
      ...(flags.wait && { waitMs: parseTimeout(flags.timeout) }),
      yes: flags.yes,
      confirm: confirmOnTerminal,
    };
    await operate(flags, async ({ clients, pipeline, reporter, signal, style }) => {
      const [{ redrive }, { formatRedrive }] = await Promise.all([import('../../ops/dlq-redrive.js'), import('../format/dlq.js')]);
      const result = await redrive(clients, pipeline, { ...options, signal }, reporter);
      print(formatRedrive(result, { json: flags.json, style }));
      if (result.failures.length || result.outcomes?.some((o) => o.outcome !== 'SUCCESS')) process.exitCode = 1;
    });
  });

  operateOptions(dlq.command('purge').description('Delete every message in the DLQ (asks first)').option('-y, --yes', 'do not ask', false), [
    'tap dlq purge',
    'tap dlq purge --env ci-42 --yes',
  ]).action((flags: OperateFlags & { yes: boolean }) =>
    operate(flags, async ({ clients, pipeline, reporter, style }) => {
      const [{ dlqPurge }, { formatPurge }] = await Promise.all([import('../../ops/dlq.js'), import('../format/dlq.js')]);
      print(formatPurge(await dlqPurge(clients, pipeline, { yes: flags.yes, confirm: confirmOnTerminal }, reporter), { json: flags.json, style }));
    }),
  );
}
