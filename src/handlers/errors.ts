/**
 * What a failure means for the SQS message that carried the file. Pure: no SDK imports, so the
 * rules are unit-tested on plain objects shaped like the SDK's errors.
 *
 * - `format`: the file itself is bad (cannot be parsed, unsupported type). Retrying cannot help, so
 *   the file is marked FAILED, quarantined, and the message acknowledged.
 * - `gone`: the object (or that version of it) was deleted before we read it. Also final.
 * - `transient`: throttling, 5xx, timeouts, dropped connections. Rethrown so that only this batch
 *   item fails and SQS redelivers it; after maxReceiveCount it goes to the DLQ.
 * - `unexpected`: anything else. Rethrown too, so that nothing is silently acknowledged.
 */

export type ErrorKind = 'format' | 'gone' | 'transient' | 'unexpected';

/** The file cannot be read as its format says; the message explains what is wrong and where. */
export class FileFormatError extends Error {
  override readonly name = 'FileFormatError';
}

/** A failure we know to be temporary, e.g. DynamoDB kept returning UnprocessedItems. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

const GONE = new Set(['NoSuchKey', 'NoSuchVersion']);

// Error names (= AWS error codes) that mean "try again later", across S3 and DynamoDB.
const TRANSIENT_NAMES = new Set([
  'TransientError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'BandwidthLimitExceeded',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
]);

// Node's codes for a network that dropped, refused or timed out.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function classifyError(err: unknown): ErrorKind {
  if (err instanceof FileFormatError) return 'format';
  // Network errors are often wrapped (SDK → undici/http → socket), so follow `cause` a few levels.
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as ErrorLike;
    if (depth === 0 && typeof e.name === 'string' && GONE.has(e.name)) return 'gone';
    if (isTransient(e)) return 'transient';
    current = e.cause;
  }
  return 'unexpected';
}

function isTransient(e: ErrorLike): boolean {
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** A short, single-line description of any thrown value, for logs and metadata. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}
