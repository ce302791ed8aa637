import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { Clients } from '../ops/clients.js';
import type { Reporter } from '../ops/reporter.js';
import { allowedOrigins, defaultDataDir, parsePort } from './commands/local.js';

/** The flags every command that talks to AWS takes. */
export interface TargetFlags {
  local?: boolean;
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

export function addTargetOptions(command: Command): Command {
  return command
    .addOption(new Option('--local', 'use the embedded local AWS (also: TAP_TARGET=local)'))
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call to this endpoint (also: AWS_ENDPOINT_URL)'))
    .addOption(new Option('--region <region>', 'AWS region (also: AWS_REGION)'))
    .addOption(new Option('--profile <name>', 'AWS profile from ~/.aws/config (also: AWS_PROFILE)'));
}

/**
 * Resolves the target (starting the local AWS if that is it), says which it is (at length only the
 * first time in this project; no line where the result names it: `resultNamesTarget`) and makes the
 * clients for it.
 */
export async function clientsFor(flags: TargetFlags, reporter: Reporter, notice: { resultNamesTarget?: boolean } = {}): Promise<Clients> {
  const [{ resolveTarget }, { createClients }, { announceTarget }] = await Promise.all([
    import('../ops/target.js'),
    import('../ops/clients.js'),
    import('../ops/target-notice.js'),
  ]);
  const target = await resolveTarget(
    {
      ...(flags.local ? { local: true } : {}),
      ...(flags.endpointUrl ? { endpointUrl: flags.endpointUrl } : {}),
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      env: process.env,
      localDataDir: resolve(defaultDataDir()),
      localPort: parsePort(process.env.TAP_LOCAL_PORT ?? '4566'),
      localAllowedOrigins: await allowedOrigins(undefined),
    },
    reporter,
  );
  announceTarget(target, { stateDir: stateDir(), ...notice }, reporter);
  return createClients(target);
}

/** `.tap/` in the current folder: build output and the deployed environments' outputs. */
export function stateDir(): string {
  return resolve('.tap');
}

/** Asks on the terminal and returns the answer; refuses (saying how to proceed) when there is none. */
export async function askOnTerminal(question: string, withoutTerminal: string): Promise<string> {
  const { UserError } = await import('../ops/errors.js');
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UserError(`This needs a confirmation (${whatIsAsked(question)}), and there is no terminal to ask on: ${withoutTerminal}`);
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`${question} `)).trim();
  } finally {
    rl.close();
  }
}

/**
 * What a question is about, without the words that ask a person at a terminal ("Continue? [y/N]",
 * "Type the environment name (dev) to go on:"): the error is read later, in a log.
 */
export function whatIsAsked(question: string): string {
  return question
    .replace(/\s*\[y\/N\]\s*$/, '')
    .replace(/\s*(Continue\?|Type the environment name \([^)]*\) to go on:)\s*$/, '')
    .replace(/[.?:]\s*$/, '');
}

/** A yes/no question; no terminal means no. */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await askOnTerminal(`${question} [y/N]`, 're-run with --yes to accept.'));
}
