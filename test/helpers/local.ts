import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_HEADERS } from '../../src/local/admin.js';
import { LocalAws } from '../../src/local/server.js';
import { ALL_SERVICES } from '../../src/local/services/index.js';

export interface LocalHarness {
  readonly aws: LocalAws;
  readonly endpoint: string;
  readonly dataDir: string;
  /** Options for any AWS SDK v3 client: endpoint, region, dummy credentials (path-style is S3's own). */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/** Starts the embedded local AWS in-process on a free port with a fresh data dir. */
export async function startLocal(
  options: { dataDir?: string; region?: string; allowedOrigins?: string[]; maxObjectBytes?: number } = {},
): Promise<LocalHarness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tap-local-test-'));
  const { allowedOrigins, maxObjectBytes } = options;
  const aws = await new LocalAws({
    dataDir,
    port: 0,
    services: ALL_SERVICES,
    ...(allowedOrigins && { allowedOrigins }),
    ...(maxObjectBytes !== undefined && { maxObjectBytes }),
  }).start();
  return {
    aws,
    endpoint: aws.endpoint,
    dataDir,
    clientConfig: {
      endpoint: aws.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    stop: () => aws.stop(),
  };
}

/** Sets a fault switch through the admin API, as a test would against a running `tap local`. */
export async function injectFault(endpoint: string, fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${endpoint}/_tap/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...ADMIN_HEADERS },
    body: JSON.stringify(fault),
  });
  if (res.status !== 201) throw new Error(`fault not set: ${res.status} ${await res.text()}`);
}

/** The endpoint a local AWS started as a child process (`local/main`) prints once it listens. */
export function listening(child: ChildProcess, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}
