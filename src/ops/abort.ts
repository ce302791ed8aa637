/** Cancellation: the CLI turns Ctrl-C into an AbortSignal; long operations stop and clean up. */
import { setTimeout as wait } from 'node:timers/promises';
import { UserError } from './errors.js';

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/** The user stopped the command; the message says what was (and was not) left behind. */
export function interrupted(message: string): UserError {
  return new UserError(`Interrupted: ${message}`, INTERRUPTED_EXIT_CODE);
}

/** Waits `ms`, or less if the signal fires (it resolves then; the caller checks `signal.aborted`). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await wait(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
}
