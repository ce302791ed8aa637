/**
 * What `upload`, `status`, `dlq` and `logs` share: `--env` and `--json` on top of the target options,
 * and a context with the clients, the deployed pipeline's resources, a reporter, and an AbortSignal
 * that Ctrl-C fires (a second Ctrl-C kills the process as usual).
 */
import type { Command } from 'commander';
import type { Clients } from '../../ops/clients.js';
import { parseEnvName } from '../../ops/env.js';
import type { Pipeline } from '../../ops/pipeline.js';
import type { Reporter } from '../../ops/reporter.js';
import { addTargetOptions, clientsFor, stateDir, type TargetFlags } from '../context.js';
import { type Style, terminalStyle } from '../format/style.js';
import { createReporter, stopSpinners } from '../reporters.js';
import { envOption } from './options.js';

export interface OperateFlags extends TargetFlags {
  env: string;
  json: boolean;
}

export interface Operation {
  readonly clients: Clients;
  readonly pipeline: Pipeline;
  readonly reporter: Reporter;
  readonly signal: AbortSignal;
  /** Colours for stdout (none when it is not a terminal). */
  readonly style: Style;
  /** Progress events per second a file transfer may emit: many on a terminal, few in a log. */
  readonly progressIntervalMs: number;
}

/** Adds `--env`, `--json` and the target options, and an example block for `--help`. */
export function operateOptions(command: Command, examples: readonly string[]): Command {
  command.addOption(envOption()).option('--json', 'print the result as JSON (progress goes to stderr as NDJSON)', false);
  return addTargetOptions(command).addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
}

/** Runs `work` with the deployed environment's resources; releases the clients and Ctrl-C afterwards. */
export async function operate<T>(flags: OperateFlags, work: (op: Operation) => Promise<T>): Promise<T> {
  const env = parseEnvName(flags.env);
  const reporter = await createReporter({ json: flags.json });
  const clients = await clientsFor(flags, reporter);
  const controller = new AbortController();
  const onInterrupt = () => {
    reporter.emit({ type: 'warn', code: 'TAP_INTERRUPT', message: 'Stopping… (Ctrl-C again to quit at once)' });
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  try {
    const { resolvePipeline } = await import('../../ops/pipeline.js');
    const pipeline = await resolvePipeline(clients, { env, stateDir: stateDir() }, reporter);
    const terminal = Boolean(process.stderr.isTTY) && !process.env.CI;
    return await work({ clients, pipeline, reporter, signal: controller.signal, style: await terminalStyle(process.stdout), progressIntervalMs: terminal ? 100 : 2000 });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    clients.destroy();
  }
}

/** Writes the command's result to stdout, after ending a spinner that progress left turning. */
export function print(text: string): void {
  stopSpinners();
  process.stdout.write(`${text}\n`);
}
