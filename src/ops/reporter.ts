/**
 * Progress events that operations emit. Operations never print: the CLI decides where these go
 * (a spinner on a TTY, NDJSON or plain lines on stderr otherwise, nothing in tests).
 */
export type ProgressEvent =
  | { readonly type: 'step'; readonly message: string }
  | { readonly type: 'done'; readonly message: string; readonly ms: number }
  /** A step that did not finish; the error itself is reported by whoever catches it. */
  | { readonly type: 'fail'; readonly message: string }
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'warn'; readonly message: string }
  /** A long step moving on: `done` of `total` units (resources, bytes, messages). */
  | { readonly type: 'progress'; readonly message: string; readonly done: number; readonly total: number; readonly unit?: 'bytes' };

export interface Reporter {
  emit(event: ProgressEvent): void;
}

export const silentReporter: Reporter = { emit() {} };

/** Runs `work` as one named step: a `step` event before, a `done` event with its duration after. */
export async function step<T>(reporter: Reporter, message: string, work: () => Promise<T> | T): Promise<T> {
  reporter.emit({ type: 'step', message });
  const started = performance.now();
  try {
    const result = await work();
    reporter.emit({ type: 'done', message, ms: Math.round(performance.now() - started) });
    return result;
  } catch (error) {
    reporter.emit({ type: 'fail', message });
    throw error;
  }
}
