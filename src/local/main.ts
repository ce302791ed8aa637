/**
 * The local AWS as a process of its own: `node dist/local/main.js --port 4566 --data-dir DIR`.
 * `tap local start` runs this detached; `tap local serve` runs the server in the CLI's own process.
 * It writes `<data-dir>/server.json` (pid, endpoint) once it listens and removes it when it stops.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './config.js';
import { parseOriginList } from './front-door.js';
import { startRecordedServer, type RunningServer } from './run.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'data-dir': { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
  },
});

const dataDir = values['data-dir'];
if (!dataDir) {
  process.stderr.write('usage: main.js --data-dir DIR [--port N] [--allow-origin ORIGIN]...\n');
  process.exit(2);
}

// Handlers first: a signal during startup (services opening, the dynalite socket created) must still
// stop cleanly once the server is up, instead of killing the process with its socket left behind.
let server: RunningServer | undefined;
let stopping: Promise<void> | undefined;
let exitCode = 0;
const stop = (code: number) => {
  exitCode = Math.max(exitCode, code);
  if (!server) return; // still starting: stopped as soon as it has started
  stopping ??= server.stop().finally(() => process.exit(exitCode));
  // Whatever happens, exit; 'exit' hooks remove sockets.
  setTimeout(() => process.exit(exitCode), 10_000).unref();
};
let signalled = false;
const onSignal = () => {
  signalled = true;
  stop(0);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Every request runs inside the server's guard; this is for a bug outside any request (a timer, a
// library's callback). Log it, stop cleanly (sockets, server.json), and let the exit code say so.
const fatal = (error: unknown) => {
  process.stderr.write(`tap local: unexpected error, stopping: ${(error as Error)?.stack ?? String(error)}\n`);
  if (!server) process.exit(1);
  stop(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

try {
  const allowedOrigins = parseOriginList(values['allow-origin'] ?? []);
  server = await startRecordedServer({ dataDir, port: Number(values.port), allowedOrigins });
  process.stdout.write(`tap local listening on ${server.info.endpoint} (pid ${process.pid}, data in ${dataDir})\n`);
  if (signalled) stop(0);
} catch (error) {
  process.stderr.write(`tap local could not start: ${(error as Error).message}\n`);
  process.exit(1);
}
