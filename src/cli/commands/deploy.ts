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
    .option('--no-protected', 'stop protecting an environment marked --protected (prod, production and prd always are)')
    .option('--json', 'print the result as JSON', false);
  addTargetOptions(command)
    .addHelpText('after', '\nExamples:\n  $ tap deploy --env dev              # no AWS credentials: deploys to the local AWS\n  $ tap deploy --env prod --profile prod --region eu-west-1\n  $ tap deploy --hotswap              # after changing src/handlers\n  $ tap deploy --env staging --protected --alarm-email ops@example.com   # remembered for later deploys')
    .action(async (flags: DeployFlags) => {
      const env = parseEnvName(flags.env);
      // Absent: keep what the stack remembers; '' (or false): clear it.
      const alarmEmail = flags.alarmEmail === undefined ? undefined : flags.alarmEmail === '' ? null : parseAlarmEmail(flags.alarmEmail);
      const protect = flags.protected === undefined ? undefined : flags.protected || null;
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
            settings: { ...(alarmEmail !== undefined && { alarmEmail }), ...(protect !== undefined && { protected: protect }) },
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
