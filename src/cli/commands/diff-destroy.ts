import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import type { Command } from 'commander';
import { parseEnvName } from '../../ops/env.js';
import { addTargetOptions, askOnTerminal, clientsFor, stateDir, type TargetFlags } from '../context.js';
import { terminalStyle } from '../format/style.js';
import { createReporter } from '../reporters.js';
import { envOption } from './options.js';

interface Flags extends TargetFlags {
  env: string;
  json: boolean;
  yes: boolean;
  force: boolean;
}

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description('Show what a deploy would change (exit code 0: nothing to deploy, 1: changes)')
    .addOption(envOption())
    .option('--json', 'print the changed resources as JSON', false);
  addTargetOptions(command)
    .addHelpText('after', '\nExamples:\n  $ tap diff --env dev\n  $ tap diff --env prod --json || echo "prod needs a deploy"')
    .action(async (flags: Flags) => {
      const env = parseEnvName(flags.env);
      const reporter = await createReporter({ json: flags.json });
      const clients = await clientsFor(flags, reporter);
      try {
        const { diff } = await import('../../ops/diff.js');
        const result = await diff(clients, { env, outDir: join(stateDir(), 'build', env), variables: process.env }, reporter);
        if (flags.json) {
          const { diff: _full, ...data } = result;
          process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        } else if (!result.hasChanges) {
          process.stdout.write(`${result.stackName}: no differences; nothing to deploy.\n`);
        } else {
          process.stdout.write(`${result.deployed ? '' : `${result.stackName} is not deployed yet: everything is new.\n`}${await renderDiff(result.diff)}`);
        }
        process.exitCode = result.hasChanges ? 1 : 0;
      } finally {
        clients.destroy();
      }
    });
}

/** cloudformation-diff renders to a stream; collect it, with colours only on a terminal. */
async function renderDiff(diff: import('@aws-cdk/cloudformation-diff').TemplateDiff): Promise<string> {
  const { formatDifferences } = await import('@aws-cdk/cloudformation-diff');
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  formatDifferences(Object.assign(sink, { columns: process.stdout.columns ?? 120 }), diff);
  sink.end();
  return process.stdout.isTTY ? text : stripVTControlCharacters(text);
}

export function registerDestroy(program: Command): void {
  const command = program
    .command('destroy')
    .description('Delete the pipeline stack: empties the upload bucket (all versions), deletes the stack, follows it to the end')
    .addOption(envOption())
    .option('-y, --yes', 'do not ask for the environment name', false)
    .option('--force', 'allow destroying prod', false)
    .option('--json', 'print the result as JSON', false);
  addTargetOptions(command)
    .addHelpText('after', '\nExamples:\n  $ tap destroy --env dev\n  $ tap destroy --env ci-123 --yes')
    .action(async (flags: Flags) => {
      const env = parseEnvName(flags.env);
      const reporter = await createReporter({ json: flags.json });
      const clients = await clientsFor(flags, reporter);
      try {
        const { destroy } = await import('../../ops/destroy.js');
        const result = await destroy(clients, { env, stateDir: stateDir(), yes: flags.yes, force: flags.force, confirm: typeName }, reporter);
        const { green, bold } = await terminalStyle(process.stdout);
        const text = !result.existed
          ? `${result.stackName} does not exist: nothing to destroy.`
          : [
              `${green('✓')} Destroyed ${bold(result.stackName)}${result.objectsDeleted ? ` (${result.objectsDeleted} object versions deleted first)` : ''}`,
              ...(result.retained.length
                ? ['  Retained (still there, delete by hand if you mean to):', ...result.retained.map((r) => `    ${r.type} ${r.physicalId || r.logicalId}`)]
                : []),
            ].join('\n');
        process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : text}\n`);
      } finally {
        clients.destroy();
      }
    });
}

async function typeName(question: string, expected: string): Promise<boolean> {
  const answer = await askOnTerminal(question, 're-run with --yes to confirm.');
  // "yes" or a typo: say what was expected, so the next try is right.
  if (answer !== expected) process.stderr.write(`${answer ? `"${answer}" is not` : 'Nothing typed: not'} the environment name; destroying needs "${expected}" typed exactly.\n`);
  return answer === expected;
}
