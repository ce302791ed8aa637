import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { INTERRUPTED_EXIT_CODE } from '../ops/abort.js';
import { AwsError, Declined, TapError, UserError } from '../ops/errors.js';
import { registerApi } from './commands/api.js';
import { registerDeliveries } from './commands/deliveries.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDestroy, registerDiff } from './commands/diff-destroy.js';
import { registerDlq } from './commands/dlq.js';
import { registerLocal } from './commands/local.js';
import { registerLogs } from './commands/logs.js';
import { registerShipment } from './commands/shipment.js';
import { registerStatus } from './commands/status.js';
import { registerSynth } from './commands/synth.js';
import { stopSpinners } from './reporters.js';
import { registerUpload } from './commands/upload.js';
import { registerWebhook } from './commands/webhook.js';

/** Builds the program. Commands register themselves and lazy-load their operation when run. */
export function buildProgram(): Command {
  const program = new Command('tap')
    .description('Run a shipment-file pipeline (S3 → SQS → Lambda → DynamoDB) on AWS or on an embedded local AWS.')
    .version(packageVersion(), '-V, --version', "print tap's version")
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run `tap --help` for usage)')
    .exitOverride();
  registerSynth(program);
  registerDeploy(program);
  registerDiff(program);
  registerDestroy(program);
  registerLocal(program);
  registerUpload(program);
  registerStatus(program);
  registerShipment(program);
  registerDlq(program);
  registerLogs(program);
  registerApi(program);
  registerWebhook(program);
  registerDeliveries(program);
  return program;
}

/** The version in tap's package.json (dist/cli/run.js and src/cli/run.ts are both two levels below it). */
function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The one place errors become exit codes and messages. */
export async function run(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync(argv);
    // A spinner that progress started and nothing ended would keep the process alive.
    stopSpinners();
  } catch (error) {
    stopSpinners();
    process.exitCode = report(error, debug);
    // Stopped by Ctrl-C: what was left running (a poll of AWS) must not keep the process alive.
    if (process.exitCode === INTERRUPTED_EXIT_CODE) process.exit(INTERRUPTED_EXIT_CODE);
  }
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (and help for --help / --version, which exit 0).
    return error.exitCode === 0 ? 0 : 2;
  }
  const write = (text: string) => process.stderr.write(`${text}\n`);
  if (error instanceof UserError) {
    // Ctrl-C is the user's choice, not a failure: its message says what was left, without "Error:".
    // A declined confirmation is an answer, not a failure: also without "Error:" (exit 1, see Declined).
    write(error.exitCode === INTERRUPTED_EXIT_CODE || error instanceof Declined ? error.message : `Error: ${error.message}`);
    if (debug) write(error.stack ?? '');
    return error.exitCode;
  }
  if (error instanceof AwsError && error.fixable) {
    // The message says what to do; the SDK's error behind it is for --debug.
    write(`Error: ${error.message}`);
    if (debug) write(debugDetails(error));
    return error.exitCode;
  }
  if (error instanceof TapError) {
    write(`Error: ${error.message}`);
    if (error.cause instanceof Error) write(`Cause: ${error.cause.message}`);
    write(debug ? debugDetails(error) : 'Run again with --debug for details.');
    return error instanceof AwsError ? error.exitCode : 1;
  }
  // An AWS error no operation explained still says which call failed and how (see clients.ts).
  const sdk = error as { $operation?: string; $metadata?: { httpStatusCode?: number } };
  const where = sdk?.$metadata?.httpStatusCode ? ` (${sdk.$operation ?? 'AWS'}, HTTP ${sdk.$metadata.httpStatusCode})` : '';
  write(`Unexpected error${where}: ${error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)}`);
  write(debug && error instanceof Error ? (error.stack ?? '') : 'Run again with --debug for the stack trace.');
  return 1;
}

/** The cause's stack (the SDK's, for an AwsError) and, for AWS, the request id to quote to support. */
export function debugDetails(error: TapError): string {
  const cause = error.cause as (Error & { $metadata?: { requestId?: string; httpStatusCode?: number } }) | undefined;
  const request = cause?.$metadata?.requestId ? `AWS request id: ${cause.$metadata.requestId}${cause.$metadata.httpStatusCode ? ` (HTTP ${cause.$metadata.httpStatusCode})` : ''}\n` : '';
  return `${request}${cause?.stack ?? error.stack ?? ''}`;
}
