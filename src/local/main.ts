/**
 * The local AWS as a process of its own: `node dist/local/main.js --port 4566 --data-dir DIR`.
 * `tap local start` runs this detached; `tap local serve` runs the server in the CLI's own process.
 * It writes `<data-dir>/server.json` (pid, endpoint) once it listens and removes it when it stops.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './config.js';
import { startRecordedServer } from './run.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'data-dir': { type: 'string' },
  },
});

const dataDir = values['data-dir'];
if (!dataDir) {
  process.stderr.write('usage: main.js --data-dir DIR [--port N]\n');
  process.exit(2);
}

try {
  const server = await startRecordedServer({ dataDir, port: Number(values.port) });
  process.stdout.write(`tap local listening on ${server.info.endpoint} (pid ${process.pid}, data in ${dataDir})\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`tap local could not start: ${(error as Error).message}\n`);
  process.exit(1);
}
