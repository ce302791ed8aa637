import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../../ops/errors.js';
import { localServicesPhrase } from '../../shared/local-services.js';
import { createReporter } from '../reporters.js';
import { registerRuntimes } from './local-runtimes.js';

interface LocalFlags {
  port: string;
  dataDir: string;
  json: boolean;
  allowOrigin?: string[];
}

/** `~/.tap/local`, or TAP_LOCAL_DIR: one local AWS per data dir. */
export function defaultDataDir(): string {
  return process.env.TAP_LOCAL_DIR ?? join(homedir(), '.tap', 'local');
}

const portOption = () =>
  new Option('-p, --port <port>', 'port to listen on (127.0.0.1)').env('TAP_LOCAL_PORT').default('4566');
const dataDirOption = () =>
  new Option('--data-dir <dir>', 'where the local AWS keeps its state (default: ~/.tap/local)').env('TAP_LOCAL_DIR');
const allowOriginOption = () =>
  new Option(
    '--allow-origin <origin...>',
    'web origins (scheme://host[:port]) whose pages may call the local AWS, besides localhost/127.0.0.1/[::1] pages; ' +
      'also TAP_LOCAL_ALLOWED_ORIGINS (comma-separated)',
  );
const jsonOption = () => new Option('--json', 'print the result as JSON').default(false);

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port must be a number from 0 to 65535, not "${value}".`);
  }
  return port;
}

/**
 * `--allow-origin` values, else TAP_LOCAL_ALLOWED_ORIGINS (comma-separated), checked. The checker is
 * the front door's (src/local), loaded only when there is something to check.
 */
export async function allowedOrigins(flag: readonly string[] | undefined): Promise<string[]> {
  const values = flag?.length ? flag : [process.env.TAP_LOCAL_ALLOWED_ORIGINS ?? ''];
  if (values.every((v) => v.trim() === '')) return [];
  const { parseOriginList } = await import('../../local/front-door.js');
  try {
    return parseOriginList(values);
  } catch (error) {
    throw new UserError(`--allow-origin / TAP_LOCAL_ALLOWED_ORIGINS: ${(error as Error).message}.`);
  }
}

const dataDirOf = (flags: { dataDir?: string }) => resolve(flags.dataDir ?? defaultDataDir());

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text}\n`);
}

export function registerLocal(program: Command): void {
  const local = program
    .command('local')
    .description(`The embedded local AWS: ${localServicesPhrase()} on one endpoint, no Docker, no account`)
    .addHelpText('after', '\nExamples:\n  $ tap local start\n  $ AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws s3 ls\n  $ tap local stop' +
      '\n\nEnvironment: TAP_LOCAL_PORT (port, default 4566), TAP_LOCAL_DIR (data dir, default ~/.tap/local),' +
      '\nTAP_LOCAL_ALLOWED_ORIGINS; every command that uses the local AWS reads the first two as well.' +
      '\n\nSecurity: it listens on 127.0.0.1 only and refuses requests from web pages whose origin is not' +
      '\nlocalhost/127.0.0.1/[::1] (allow others with --allow-origin or TAP_LOCAL_ALLOWED_ORIGINS).');

  local
    .command('start')
    .description('start the local AWS in the background')
    .addOption(portOption())
    .addOption(dataDirOption())
    .addOption(allowOriginOption())
    .addOption(jsonOption())
    .action(async (flags: LocalFlags) => {
      const { startLocal } = await import('../../ops/local.js');
      const reporter = await createReporter({ json: flags.json });
      const options = { port: parsePort(flags.port), dataDir: dataDirOf(flags), allowedOrigins: await allowedOrigins(flags.allowOrigin) };
      const result = await startLocal(options, reporter);
      const { info } = result;
      print(flags.json, result, [
        `${result.alreadyRunning ? 'Already running' : 'Running'}: ${info.endpoint} (pid ${info.pid})`,
        `  data: ${info.dataDir}`,
        `  log:  ${result.logFile}`,
        `  Point any AWS client at it: export AWS_ENDPOINT_URL=${info.endpoint}`,
      ].join('\n'));
    });

  local
    .command('stop')
    .description('stop the background local AWS (its state stays in the data dir)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (flags: LocalFlags) => {
      const { stopLocal } = await import('../../ops/local.js');
      const result = await stopLocal(dataDirOf(flags));
      print(flags.json, result, result.stopped ? `Stopped the local AWS (pid ${result.pid}).` : 'The local AWS was not running.');
    });

  local
    .command('status')
    .description('is the local AWS running, and how much disk (per service) and memory does it take? (exit code 1 when not running)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (flags: LocalFlags) => {
      const { localStatus } = await import('../../ops/local.js');
      const state = await localStatus(dataDirOf(flags), { usage: true });
      const { formatLocalStatus } = await import('../format/local.js');
      print(flags.json, state, formatLocalStatus(state));
      if (!state.running) process.exitCode = 1;
    });

  local
    .command('reset')
    .description('delete everything in the local AWS: buckets, queues, tables, functions, logs')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (flags: LocalFlags) => {
      const { resetLocal } = await import('../../ops/local.js');
      const result = await resetLocal(dataDirOf(flags));
      print(flags.json, result, 'The local AWS is empty again.');
    });

  registerRuntimes(local, dataDirOf, dataDirOption);

  local
    .command('serve')
    .description('run the local AWS in the foreground (Ctrl-C stops it), for debugging')
    .addOption(portOption())
    .addOption(dataDirOption())
    .addOption(allowOriginOption())
    .action(async (flags: LocalFlags) => {
      const { serveLocal } = await import('../../ops/local.js');
      const dataDir = dataDirOf(flags);
      const origins = await allowedOrigins(flags.allowOrigin);
      let server;
      try {
        server = await serveLocal({ dataDir, port: parsePort(flags.port), allowedOrigins: origins });
      } catch (error) {
        throw new UserError(`The local AWS could not start: ${(error as Error).message}`, 1);
      }
      process.stderr.write(`tap local listening on ${server.info.endpoint} (data in ${dataDir}); Ctrl-C stops it\n`);
      await new Promise<void>((done) => {
        const stop = () => void server.stop().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
