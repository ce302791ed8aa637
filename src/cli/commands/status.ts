import type { Command } from 'commander';
import { parseCount, parseDuration, parseStatus } from '../../ops/flags.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface StatusFlags extends OperateFlags {
  file?: string;
  status?: string;
  since?: string;
  limit: string;
  dlq: boolean;
}

export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .description("Recent files and their outcomes, or one file's processing history (--file)")
    .option('--file <key>', 'one file: its history, outputs, first rejected records, dead-lettered messages (key with or without incoming/)')
    .option('--status <status>', 'only SUCCESS or FAILED files')
    .option('--since <duration>', 'only files uploaded in this window (30m, 1h, 2d); the list defaults to 24h')
    .option('--limit <n>', 'rows to show', '20')
    .option('--dlq', "with --file: also look for the file's messages in the dead-letter queue (a look adds one to their receive counts)", false);
  operateOptions(command, [
    'tap status',
    'tap status --status FAILED --since 2d',
    'tap status --file shipments.json',
    'tap status --file shipments.json --dlq',
    'tap status --file incoming/2026/01/feed.csv --json | jq .runs[0]',
  ]).action(async (flags: StatusFlags) => {
    const options = {
      ...(flags.file !== undefined && { file: flags.file }),
      ...(flags.status && { status: parseStatus(flags.status) }),
      ...(flags.since && { sinceMs: parseDuration(flags.since, '--since') }),
      limit: parseCount(flags.limit, '--limit', { max: 1000 }),
      lookInDlq: flags.dlq,
    };
    await operate(flags, async ({ clients, pipeline, reporter, style }) => {
      const [{ status }, { formatStatus }] = await Promise.all([import('../../ops/status.js'), import('../format/status.js')]);
      const result = await status(clients, pipeline, options, reporter);
      print(formatStatus(result, { json: flags.json, style }));
      // An unknown file is an error a script should notice, like grep finding nothing.
      if (result.kind === 'file' && !result.known) process.exitCode = 1;
    });
  });
}
