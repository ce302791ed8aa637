import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** 30 s unless given. */
  readonly timeoutMs?: number;
  /** Between two probes; 200 ms unless given. */
  readonly intervalMs?: number;
  /** What is awaited, for the message when it never comes. */
  readonly what?: string;
}

/**
 * Polls `probe` until it returns a value (not undefined). A probe that throws is tried again (the
 * thing may not exist yet); when the time is up, the last error is in the message. The probe always
 * runs at least once, and once more at the deadline.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(options.intervalMs ?? 200, left));
  }
  const waited = `${options.what ?? 'a condition'} (${options.timeoutMs ?? 30_000} ms)`;
  throw new Error(`timed out waiting for ${waited}${lastError ? `: ${String(lastError)}` : ''}`, { cause: lastError });
}
