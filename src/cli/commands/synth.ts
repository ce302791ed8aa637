import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseAlarmEmail, parseEnvName } from '../../ops/env.js';
import { createReporter } from '../reporters.js';
import { terminalStyle } from '../format/style.js';
import { envOption } from './options.js';

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('Synthesize the pipeline stack into a CloudFormation template, in-process')
    .addOption(envOption())
    .option('--out <dir>', 'where to write the template and assets', 'cdk.out')
    .option('--alarm-email <address>', 'subscribe this e-mail address to the alarm topic')
    .option('--validate', "run CDK's template validation and the cdk-nag security rules", false)
    .option('--force', 'synthesize even when nothing that shapes the template changed since the last synth into --out', false)
    .option('--json', 'print the result as JSON', false)
    .addHelpText('after', '\nExamples:\n  $ tap synth --env dev\n  $ tap synth --env prod --validate --out build/prod')
    .action(async (opts: { env: string; out: string; alarmEmail?: string; validate: boolean; force: boolean; json: boolean }) => {
      const env = parseEnvName(opts.env);
      const alarmEmail = opts.alarmEmail === undefined ? undefined : parseAlarmEmail(opts.alarmEmail);
      const [{ synth }, { formatSynth }] = await Promise.all([import('../../ops/synth.js'), import('../format/synth.js')]);
      const reporter = await createReporter({ json: opts.json });
      const result = await synth(
        {
          env,
          outDir: resolve(opts.out),
          validate: opts.validate,
          force: opts.force,
          variables: process.env,
          ...(alarmEmail ? { alarmEmail } : {}),
        },
        reporter,
      );
      process.stdout.write(`${formatSynth(result, { json: opts.json, style: await terminalStyle(process.stdout) })}\n`);
      if (result.findings?.length) process.exitCode = 1;
    });
}
