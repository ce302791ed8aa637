/**
 * The local AWS as a process of its own: `node dist/local/main.js --port 4566 --data-dir DIR`.
 * `tap local start` runs this detached; `tap local serve` runs the server in the CLI's own process.
 * It writes `<data-dir>/server.json` (pid, endpoint) once it listens and removes it when it stops.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './config.js';
import { parseOriginList } from './front-door.js';
import { startRecordedServer } from './run.js';

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

try {
  const allowedOrigins = parseOriginList(values['allow-origin'] ?? []);
  const server = await startRecordedServer({ dataDir, port: Number(values.port), allowedOrigins });
  process.stdout.write(`tap local listening on ${server.info.endpoint} (pid ${process.pid}, data in ${dataDir})\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Every request runs inside the server's guard; this is for a bug outside any request (a timer, a
  // library's callback). Log it, stop cleanly (sockets, server.json), and let the exit code say so.
  const fatal = (error: unknown) => {
    process.stderr.write(`tap local: unexpected error, stopping: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(1), 5000);
    timer.unref();
    void server.stop().finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
} catch (error) {
  process.stderr.write(`tap local could not start: ${(error as Error).message}\n`);
  process.exit(1);
}
