import { join } from 'node:path';
import type { Command } from 'commander';
import { parseCount } from '../../ops/flags.js';
import { confirmOnTerminal, stateDir } from '../context.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface ListenFlags extends OperateFlags {
  port: string;
  status: string;
}

interface SecretFlags extends OperateFlags {
  rotate: boolean;
}

export function registerWebhook(program: Command): void {
  const webhook = program.command('webhook').description('Result delivery: a local receiver that verifies deliveries, and the signing key');
  const listen = webhook
    .command('listen')
    .description("Receive deliveries locally: print each one, verified against the env's signing key, and answer 2xx (or --status)")
    .option('--port <port>', 'port to listen on (127.0.0.1)', '9000')
    .option('--status <code>', 'HTTP status to answer with (non-2xx makes the notifier retry, to try failures)', '200')
    // --local is every command's "use the local AWS": only a local AWS can reach a listener on
    // 127.0.0.1, so with it the listener also becomes the env's webhook while it runs.
    .addHelpText('after', "\nWith --local (the local AWS), the listener is the env's webhook while it runs (a deploy), and the previous one is restored afterwards (another deploy).");
  operateOptions(listen, ['tap webhook listen', 'tap webhook listen --local', 'tap webhook listen --status 500 --port 9001']).action(async (flags: ListenFlags) => {
    const port = parseCount(flags.port, '--port', { min: 0, max: 65535 });
    const status = parseCount(flags.status, '--status', { min: 200, max: 599 });
    await operate(flags, async ({ clients, pipeline, reporter, signal, style }) => {
      const [{ listenWebhook }, { formatReceived, formatListen }] = await Promise.all([import('../../ops/webhook.js'), import('../format/webhook.js')]);
      const swapWebhook = flags.local
        ? async (url: string | null) => {
            const { deploy } = await import('../../ops/deploy.js');
            await deploy(
              clients,
              {
                env: pipeline.env,
                outDir: join(stateDir(), 'build', pipeline.env),
                stateDir: stateDir(),
                yes: false,
                hotswap: false,
                variables: process.env,
                settings: { webhookUrl: url },
                confirm: (question) => confirmOnTerminal(question),
              },
              reporter,
            );
          }
        : undefined;
      const result = await listenWebhook(
        clients,
        pipeline,
        {
          port,
          status,
          signal,
          ...(swapWebhook && { swapWebhook }),
          onListening: (url) => reporter.emit({ type: 'info', code: 'TAP_WEBHOOK_LISTENING', message: `Listening on ${url}${flags.local ? ` (the webhook of ${pipeline.env} until Ctrl-C)` : ''}; answering ${status}. Ctrl-C stops.` }),
          onDelivery: (delivery) => print(formatReceived(delivery, { json: flags.json, style })),
        },
        reporter,
      );
      if (!flags.json) process.stderr.write(`${formatListen(result)}\n`);
    });
  });

  const secret = webhook
    .command('secret')
    .description('Where the webhook signing key lives (Secrets Manager); --rotate puts a new version')
    .option('--rotate', 'put a new random key as the current version (give it to the partner: deliveries are signed with it within seconds)', false);
  operateOptions(secret, ['tap webhook secret', 'tap webhook secret --rotate --json']).action(async (flags: SecretFlags) => {
    await operate(flags, async ({ clients, pipeline, reporter }) => {
      const [{ webhookSecret }, { formatSecret }] = await Promise.all([import('../../ops/webhook.js'), import('../format/webhook.js')]);
      print(formatSecret(await webhookSecret(clients, pipeline, { rotate: flags.rotate }, reporter), { json: flags.json }));
    });
  });
}
