import { join } from 'node:path';
import type { Command } from 'commander';
import { parseAlarmEmail, parseEnvName } from '../../ops/env.js';
import { addTargetOptions, clientsFor, confirmOnTerminal, stateDir, type TargetFlags } from '../context.js';
import { terminalStyle } from '../format/style.js';
import { trapInterrupt } from '../interrupt.js';
import { createReporter } from '../reporters.js';
import { envOption } from './options.js';

interface DeployFlags extends TargetFlags {
  env: string;
  yes: boolean;
  hotswap: boolean;
  json: boolean;
  alarmEmail?: string;
  protected?: boolean;
  webhookUrl?: string;
  deliveryAttempts?: string;
  deliveryInterval?: string;
  bigFileThreshold?: string;
  bigFileConcurrency?: string;
  bigFileTolerance?: string;
}

export function registerDeploy(program: Command): void {
  const command = program
    .command('deploy')
    .description('Deploy the pipeline: synthesize in-process, publish assets, create or update the stack through a change set')
    .addOption(envOption())
    .option('-y, --yes', 'accept changes that need confirmation (a protected environment, or replacing/removing data)', false)
    .option('--hotswap', 'when only the function code changed, update it directly (seconds; drifts from the template)', false)
    .option('--alarm-email <address>', "subscribe this e-mail address to the alarm topic (remembered on the stack; '' clears it)")
    .option('--protected', 'protect this environment: every mutating command asks first or needs --yes (remembered on the stack)')
    .option('--webhook-url <url>', "post each file's outcome, signed, to this URL (remembered on the stack; '' turns delivery off)")
    .option('--delivery-attempts <n>', "webhook delivery attempts in all, 1-20 (default 6; remembered; '' restores the default)")
    .option('--delivery-interval <seconds>', "wait before the first delivery retry, doubling after, with jitter, 1-300 (default 5; remembered; '' restores the default)")
    .option('--big-file-threshold <size>', "files above this size go through the Step Functions distributed map, e.g. 8MiB (default 8 MiB; remembered; '' restores the default)")
    .option('--big-file-concurrency <n>', "big-file batches written at once (the map's MaxConcurrency), 1-1000 (default 8; remembered)")
    .option('--big-file-tolerance <percent>', "percentage of a big file's records whose batches may fail with the file still SUCCESS, 0-100 (default 0; remembered)")
    .option('--no-protected', 'stop protecting an environment marked --protected (prod, production and prd always are)')
    .option('--json', 'print the result as JSON', false);
  addTargetOptions(command)
    .addHelpText('after', '\nExamples:\n  $ tap deploy --env dev              # no AWS credentials: deploys to the local AWS\n  $ tap deploy --env prod --profile prod --region eu-west-1\n  $ tap deploy --hotswap              # after changing src/handlers\n  $ tap deploy --env staging --protected --alarm-email ops@example.com   # remembered for later deploys')
    .action(async (flags: DeployFlags) => {
      const env = parseEnvName(flags.env);
      // Absent: keep what the stack remembers; '' (or false): clear it.
      const alarmEmail = flags.alarmEmail === undefined ? undefined : flags.alarmEmail === '' ? null : parseAlarmEmail(flags.alarmEmail);
      const protect = flags.protected === undefined ? undefined : flags.protected || null;
      const { parseWebhookUrl } = await import('../../ops/webhook-url.js');
      const { parseCount, parseSize } = await import('../../ops/flags.js');
      const given = <T>(text: string | undefined, parse: (t: string) => T): T | null | undefined => (text === undefined ? undefined : text === '' ? null : parse(text));
      const delivery = {
        webhookUrl: given(flags.webhookUrl, parseWebhookUrl),
        deliveryAttempts: given(flags.deliveryAttempts, (t) => parseCount(t, '--delivery-attempts', { min: 1, max: 20 })),
        deliveryInterval: given(flags.deliveryInterval, (t) => parseCount(t, '--delivery-interval', { min: 1, max: 300 })),
        bigFileThreshold: given(flags.bigFileThreshold, (t) => parseSize(t, '--big-file-threshold', { min: 0, max: 5 * 1024 ** 3 })),
        bigFileConcurrency: given(flags.bigFileConcurrency, (t) => parseCount(t, '--big-file-concurrency', { min: 1, max: 1000 })),
        bigFileTolerance: given(flags.bigFileTolerance, (t) => parseCount(t, '--big-file-tolerance', { min: 0, max: 100 })),
      };
      const reporter = await createReporter({ json: flags.json });
      // The result's headline names the target (endpoint and region).
      const clients = await clientsFor(flags, reporter, { resultNamesTarget: true });
      const interrupt = trapInterrupt(reporter);
      try {
        const [{ deploy }, { formatDeploy }] = await Promise.all([import('../../ops/deploy.js'), import('../format/deploy.js')]);
        const result = await deploy(
          clients,
          {
            env,
            outDir: join(stateDir(), 'build', env),
            stateDir: stateDir(),
            yes: flags.yes,
            hotswap: flags.hotswap,
            signal: interrupt.signal,
            variables: process.env,
            settings: {
              ...(alarmEmail !== undefined && { alarmEmail }),
              ...(protect !== undefined && { protected: protect }),
              ...Object.fromEntries(Object.entries(delivery).filter(([, v]) => v !== undefined)),
            },
            confirm: async (question, changes) => {
              const { formatChanges } = await import('../format/deploy.js');
              const style = await terminalStyle(process.stderr);
              process.stderr.write(`${changes.length} change(s):\n${formatChanges([...changes], style).join('\n')}\n`);
              return confirmOnTerminal(question);
            },
          },
          reporter,
        );
        process.stdout.write(`${formatDeploy(result, { json: flags.json, style: await terminalStyle(process.stdout) })}\n`);
      } finally {
        interrupt.release();
        clients.destroy();
      }
    });
}
