import type { ProgressCode } from './codes.js';

export type { ProgressCode } from './codes.js';

/**
 * Progress events that operations emit. Operations never print: the CLI decides where these go
 * (a spinner on a TTY, NDJSON or plain lines on stderr otherwise, nothing in tests). `code` is the
 * stable part (codes.ts); `message` is for people.
 */
export type ProgressEvent = { readonly code: ProgressCode; readonly message: string } & (
  | { readonly type: 'step' }
  | { readonly type: 'done'; readonly ms: number }
  /** A step that did not finish; the error itself is reported by whoever catches it. */
  | { readonly type: 'fail' }
  | { readonly type: 'info' }
  | { readonly type: 'warn' }
  /** A long step moving on: `done` of `total` units (resources, bytes, messages). */
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly unit?: 'bytes' }
);

export interface Reporter {
  emit(event: ProgressEvent): void;
}

export const silentReporter: Reporter = { emit() {} };

/** Runs `work` as one named step: a `step` event before, a `done` event with its duration after (one code). */
export async function step<T>(reporter: Reporter, code: ProgressCode, message: string, work: () => Promise<T> | T): Promise<T> {
  reporter.emit({ type: 'step', code, message });
  const started = performance.now();
  try {
    const result = await work();
    reporter.emit({ type: 'done', code, message, ms: Math.round(performance.now() - started) });
    return result;
  } catch (error) {
    reporter.emit({ type: 'fail', code, message });
    throw error;
  }
}
