import type { Command } from 'commander';
import { parseCount, parseDuration, parseTimeout } from '../../ops/flags.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface ListFlags extends OperateFlags {
  failed: boolean;
  since?: string;
  limit: string;
}

interface RetryFlags extends OperateFlags {
  file: string;
  timeout: string;
}

export function registerDeliveries(program: Command): void {
  // `list` is the default subcommand: the parent has no options of its own, so a subcommand's
  // target options (--endpoint-url…) cannot be taken by the parent.
  const deliveries = program.command('deliveries').description('Webhook deliveries of file outcomes: list (the default) and retry');
  const list = deliveries
    .command('list', { isDefault: true })
    .description('Recent webhook deliveries of file outcomes (attempts, last HTTP status, when)')
    .option('--failed', 'only deliveries that gave up', false)
    .option('--since <duration>', 'outcomes of files uploaded in this window (30m, 1h, 2d)', '24h')
    .option('--limit <n>', 'rows to show', '20');
  operateOptions(list, ['tap deliveries', 'tap deliveries --failed --since 2d', 'tap deliveries retry --file shipments.json']).action(async (flags: ListFlags) => {
    const options = { failed: flags.failed, sinceMs: parseDuration(flags.since ?? '24h', '--since'), limit: parseCount(flags.limit, '--limit', { max: 1000 }) };
    await operate(flags, async ({ clients, pipeline, reporter, style }) => {
      const [{ listDeliveries }, { formatDeliveries }] = await Promise.all([import('../../ops/deliveries.js'), import('../format/webhook.js')]);
      print(formatDeliveries(await listDeliveries(clients, pipeline, options, reporter), { json: flags.json, style }));
    });
  });
  const retry = deliveries
    .command('retry')
    .description("Deliver a file's newest outcome again (a new delivery id) and follow it to its end")
    .requiredOption('--file <key>', 'the file (key with or without incoming/)')
    .option('--timeout <duration>', 'stop following after this long (the delivery goes on)', '10m');
  operateOptions(retry, ['tap deliveries retry --file shipments.json']).action(async (flags: RetryFlags) => {
    const timeoutMs = parseTimeout(flags.timeout);
    await operate(flags, async ({ clients, pipeline, reporter, signal, style }) => {
      const [{ retryDelivery }, { formatRetry }] = await Promise.all([import('../../ops/deliveries.js'), import('../format/webhook.js')]);
      const result = await retryDelivery(clients, pipeline, { file: flags.file, timeoutMs, signal }, reporter);
      print(formatRetry(result, { json: flags.json, style }));
      if (result.run?.delivery?.status !== 'DELIVERED') process.exitCode = 1;
    });
  });
}
