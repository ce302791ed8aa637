import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** What `tap deploy` leaves for the other commands in `.tap/<env>.json`. The stack stays the truth. */
export interface DeployedEnvironment {
  readonly env: string;
  readonly stackName: string;
  readonly region: string;
  readonly target: 'local' | 'endpoint' | 'aws';
  readonly endpoint?: string;
  readonly outputs: Record<string, string>;
  readonly deployedAt: string;
  /** Deployed with --protected (the stack's tag is the truth; this is for when it cannot be read). */
  readonly protected?: boolean;
}

export function deployedFile(stateDir: string, env: string): string {
  return join(stateDir, `${env}.json`);
}

export function saveDeployed(stateDir: string, deployed: DeployedEnvironment): string {
  mkdirSync(stateDir, { recursive: true });
  const file = deployedFile(stateDir, deployed.env);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(deployed, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

export function loadDeployed(stateDir: string, env: string): DeployedEnvironment | undefined {
  try {
    return JSON.parse(readFileSync(deployedFile(stateDir, env), 'utf8')) as DeployedEnvironment;
  } catch {
    return undefined;
  }
}
