/**
 * How other processes find a running local AWS: the file it writes into its data dir. Its own module,
 * without the server, so `tap` commands that only look for a running local AWS (ops/local.ts) do not
 * load the emulator.
 */
import { join } from 'node:path';
import { readJsonIfExistsSync } from './storage.js';

/** What a running local AWS writes into its data dir so that other processes can find it. */
export interface ServerInfo {
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly dataDir: string;
  readonly startedAt: string;
}

export const SERVER_INFO_FILE = 'server.json';

export function readServerInfo(dataDir: string): ServerInfo | undefined {
  try {
    return readJsonIfExistsSync<ServerInfo>(join(dataDir, SERVER_INFO_FILE));
  } catch {
    return undefined; // torn by a crash mid-start (outside a running server, a damaged file throws): nothing runs from it
  }
}

