/**
 * Saying which AWS a command talks to without saying it at length on every command. The first time a
 * project uses a target, or when the target changes, the whole explanation: why the local AWS (no
 * credentials were found, and how to target AWS instead) and which one. After that one short line, or
 * none where the command's result names the target itself (deploy's headline does). What was last said
 * is remembered in the project's state dir.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from './reporter.js';
import type { Target } from './target.js';

export const NO_CREDENTIALS_NOTICE =
  'No AWS credentials found: using the local AWS. To target AWS: aws configure, or --profile NAME.';

export interface TargetNoticeOptions {
  /** `.tap/` of the project. */
  readonly stateDir: string;
  /** The command's result names the target: once the target is known, no line at all. */
  readonly resultNamesTarget?: boolean;
}

interface Remembered {
  readonly identity: string;
  readonly description: string;
  readonly at: string;
}

/** `_` cannot be part of an environment name, so no `.tap/<env>.json` is ever this file. */
export const targetNoticeFile = (stateDir: string): string => join(stateDir, 'last_target.json');

export function announceTarget(target: Target, options: TargetNoticeOptions, reporter: Reporter): void {
  const file = targetNoticeFile(options.stateDir);
  const identity = identityOf(target);
  const last = read(file);
  if (last?.identity === identity) {
    if (!options.resultNamesTarget) reporter.emit({ type: 'info', code: 'TAP_TARGET', message: `Target: ${target.description}` });
    return;
  }
  if (target.fallback) reporter.emit({ type: 'info', code: 'TAP_TARGET_LOCAL_FALLBACK', message: NO_CREDENTIALS_NOTICE });
  reporter.emit({ type: 'info', code: 'TAP_TARGET', message: `Target: ${target.description}${last ? ` (before: ${last.description})` : ''}` });
  write(file, { identity, description: target.description, at: new Date().toISOString() });
}

/**
 * What makes a target another one. The local AWS is its data dir, not its port (a restart may take
 * another one); a fallback to it differs from `--local`, because only the fallback needs explaining.
 */
function identityOf(target: Target): string {
  const where = target.kind === 'local' ? (target.localDataDir ?? target.endpoint) : target.kind === 'endpoint' ? target.endpoint : (target.profile ?? '');
  return JSON.stringify([target.kind, target.fallback ?? false, where, target.region]);
}

function read(file: string): Remembered | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Remembered>;
    return typeof value.identity === 'string' && typeof value.description === 'string' ? (value as Remembered) : undefined;
  } catch {
    return undefined; // never said, or unreadable: say it all again
  }
}

/** Best effort: a project folder that cannot be written to only means the explanation comes again. */
function write(file: string, value: Remembered): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  } catch {
    // nothing to do
  }
}
