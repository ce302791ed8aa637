import type { Command } from 'commander';
import { parseDuration } from '../../ops/flags.js';
import { incomingKey } from '../../ops/keys.js';
import { parseLevel } from '../../ops/log-lines.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface LogsFlags extends OperateFlags {
  follow: boolean;
  since: string;
  filter?: string;
  file?: string;
  level?: string;
}

export function registerLogs(program: Command): void {
  const command = program
    .command('logs')
    .description("The processors' log lines (files and photos), merged in time order, pretty-printed (raw NDJSON with --json)")
    .option('-f, --follow', 'keep printing new lines until Ctrl-C', false)
    .option('--since <duration>', 'lines from this long ago (30s, 10m, 2h, 1d)', '10m')
    .option('--filter <text>', 'only lines containing this text')
    .option('--file <key>', 'only lines about this S3 key (with or without incoming/; pod/<shipment>/<name> for a photo)')
    .option('--level <level>', 'only lines at this level or above (debug, info, warn, error)');
  operateOptions(command, [
    'tap logs --since 1h',
    'tap logs -f --level warn',
    'tap logs --file shipments.json --since 2d',
    'tap logs --file pod/S-1/door.jpg',
    'tap logs --since 1h --json | jq -c "select(.level == \\"ERROR\\")"',
  ]).action(async (flags: LogsFlags) => {
    const filter = {
      sinceMs: parseDuration(flags.since, '--since'),
      ...(flags.filter && { text: flags.filter }),
      ...(flags.file !== undefined && { key: incomingKey(flags.file) }),
      ...(flags.level && { level: parseLevel(flags.level) }),
    };
    await operate(flags, async ({ clients, pipeline, reporter, signal, style }) => {
      const [{ logs }, { formatLogLine }] = await Promise.all([import('../../ops/logs.js'), import('../format/logs.js')]);
      if (flags.follow) reporter.emit({ type: 'info', code: 'TAP_LOGS_FOLLOWING', message: 'Following new lines as they arrive (Ctrl-C to stop)…' });
      const result = await logs(clients, pipeline, { ...filter, follow: flags.follow, signal, onLine: (line) => print(formatLogLine(line, { json: flags.json, style })) }, reporter);
      if (!result.lines && !flags.follow) reporter.emit({ type: 'info', code: 'TAP_LOGS_NONE', message: `No matching lines in ${result.logGroups.join(' or ')} in the last ${flags.since}.` });
    });
  });
}
