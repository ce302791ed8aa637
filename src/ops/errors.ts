/**
 * The error vocabulary. The CLI maps these to exit codes in one place (src/cli/run.ts).
 * - UserError: the user can fix it; the message says how. No stack trace unless --debug.
 * - TapError: ours or AWS's; carries the cause.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** Exit code; 2 by convention for usage mistakes. */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export class TapError extends Error {
  override readonly name = 'TapError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
