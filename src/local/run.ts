import { join } from 'node:path';
import { LocalAws } from './server.js';
import { ALL_SERVICES } from './services/index.js';
import { removeIfExistsSync, writeFileAtomicSync } from './storage.js';

export { type ServerInfo, SERVER_INFO_FILE, readServerInfo } from './server-info.js';
import { type ServerInfo, SERVER_INFO_FILE, readServerInfo } from './server-info.js';

export interface RunningServer {
  readonly aws: LocalAws;
  readonly info: ServerInfo;
  /** Stops the services and the server, and removes server.json. */
  stop(): Promise<void>;
}

/**
 * Starts the local AWS in this process and records it in the data dir. Whoever owns the process
 * (main.ts, or `tap local serve`) calls stop() on SIGINT/SIGTERM; after a kill -9, server.json stays
 * behind and readers check that its pid is alive.
 */
export async function startRecordedServer(options: {
  dataDir: string;
  port: number;
  allowedOrigins?: readonly string[];
}): Promise<RunningServer> {
  const aws = new LocalAws({
    dataDir: options.dataDir,
    port: options.port,
    services: ALL_SERVICES,
    ...(options.allowedOrigins && { allowedOrigins: options.allowedOrigins }),
  });
  try {
    await aws.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${options.port} is already in use (another local AWS, such as LocalStack?). Choose another: ` +
          'tap local start --port N, or TAP_LOCAL_PORT=N for every command',
      );
    }
    throw error;
  }
  const infoFile = join(options.dataDir, SERVER_INFO_FILE);
  const info: ServerInfo = {
    pid: process.pid,
    port: Number(new URL(aws.endpoint).port),
    endpoint: aws.endpoint,
    dataDir: options.dataDir,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomicSync(infoFile, JSON.stringify(info, null, 2));
  return {
    aws,
    info,
    async stop() {
      await aws.stop();
      if (readServerInfo(options.dataDir)?.pid === info.pid) removeIfExistsSync(infoFile);
    },
  };
}
