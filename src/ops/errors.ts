/**
 * The error vocabulary. The CLI maps these to exit codes in one place (src/cli/run.ts).
 * - UserError: the user can fix it; the message says how. No stack trace unless --debug.
 * - TapError: ours or AWS's; carries the cause.
 * - AwsError: a TapError from a call to AWS, explained (aws-errors.ts); the SDK's error is its cause.
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

/**
 * The user said no to a confirmation: a normal outcome, not a failure. Exit code 1 (what was asked
 * did not happen, so a script must not go on as if it had), printed without "Error:".
 */
export class Declined extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

export class TapError extends Error {
  override readonly name: string = 'TapError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A call to AWS failed, explained for a person (see explainAwsError). The SDK's error stays the
 * cause, so --debug shows its stack and request id. `fixable` says the user can act on it (credentials,
 * network, permissions, region): the CLI prints it as it prints a UserError, with its exit code.
 */
export class AwsError extends TapError {
  override readonly name: string = 'AwsError';
  readonly exitCode: number;
  readonly fixable: boolean;
  constructor(message: string, options: { cause: unknown; fixable?: boolean; exitCode?: number }) {
    super(message, { cause: options.cause });
    this.fixable = options.fixable ?? false;
    this.exitCode = options.exitCode ?? 1;
  }
}
