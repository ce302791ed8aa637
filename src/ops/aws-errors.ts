import { AwsError, TapError, UserError } from './errors.js';
import type { Target } from './target.js';

const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AccessDeniedException',
  'TokenRefreshRequired',
]);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What the SDK's errors carry that we read. `$operation` is added by the clients (see clients.ts). */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
  $operation?: string;
}

/**
 * Turns what the SDK throws into an error a person can act on: expired or wrong credentials name
 * the profile and what to run; an unreachable endpoint names the endpoint; an answer without a body
 * (a 403 to a HEAD request, which the SDK can only call `Unknown: UnknownError`) is explained from
 * its operation and HTTP status. Every one is an AwsError with the SDK's error as its cause; errors
 * that are already ours (UserError, TapError) pass through.
 */
export function explainAwsError(error: unknown, target: Target, doing: string): Error {
  if (error instanceof UserError || error instanceof TapError) return error;
  const e = error as SdkError;
  const name = e.name ?? '';
  const code = e.code ?? e.cause?.code ?? '';
  if (CREDENTIAL_ERRORS.has(name)) {
    const fix = target.profile
      ? `Sign in again (aws sso login --profile ${target.profile}) or fix the profile "${target.profile}" in ~/.aws/config.`
      : 'Refresh them (aws configure, or new AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), or pass --profile NAME.';
    // Exit code 2, as for any setting the user gets wrong.
    return new AwsError(`AWS rejected the credentials while ${doing} (${name}: ${e.message}). ${fix}`, { cause: error, fixable: true, exitCode: 2 });
  }
  if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name)) {
    const where = target.endpoint ?? `AWS in ${target.region}`;
    const hint = target.kind === 'local' ? ' Is the local AWS running? Check: tap local status' : ' Check the network, the endpoint URL and the region.';
    return new AwsError(`Could not reach ${where} while ${doing} (${code || name}).${hint}`, { cause: error, fixable: true, exitCode: 2 });
  }
  const status = e.$metadata?.httpStatusCode;
  if (status && isBodiless(e)) return explainStatus(status, e, target, doing);
  const operation = e.$operation ? ` (${e.$operation}${status ? `, HTTP ${status}` : ''})` : '';
  return new AwsError(`AWS returned an error while ${doing}${operation}: ${name ? `${name}: ` : ''}${e.message ?? String(error)}`, { cause: error });
}

/** The SDK names an error it could not read from the body `Unknown` / `UnknownError` (or the status). */
function isBodiless(e: SdkError): boolean {
  return e.name === 'Unknown' || e.message === 'UnknownError' || /^\d{3}$/.test(e.name ?? '') || !e.message;
}

function explainStatus(status: number, e: SdkError, target: Target, doing: string): AwsError {
  const where = target.endpoint ?? `AWS (${target.region})`;
  const what = `${where} answered ${e.$operation ?? 'a request'} with HTTP ${status} and no error details while ${doing}.`;
  const s3 = /^S3\b/.test(e.$operation ?? '');
  const plainHttp = target.endpoint?.startsWith('http://');
  let fix: string;
  if (status === 403) {
    fix = [
      'Access was denied: check that these credentials may do this (their IAM policy' + (target.profile ? `, profile "${target.profile}"` : '') + ')',
      s3 ? ' and that no bucket policy denies it' : '',
      s3 && plainHttp ? `. Over plain http a bucket policy that requires TLS (aws:SecureTransport) denies every request: use an https:// endpoint, or remove that policy from the bucket` : '',
      '.',
    ].join('');
  } else if (status === 401) {
    fix = 'The endpoint wants other credentials: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile.';
  } else if (status === 404) {
    fix = 'Not found: the resource may not exist here. Check --region and --endpoint-url, and that the stack is deployed (tap deploy).';
  } else if (status === 301 || status === 400) {
    fix = 'The request was refused; a wrong region is the usual cause: check --region (and --endpoint-url).';
  } else if (status === 429 || status === 503) {
    fix = 'The service is throttling or busy: try again in a moment.';
  } else if (status >= 500) {
    fix = 'The service failed: try again in a moment; if it persists, check the endpoint.';
  } else {
    fix = 'Run again with --debug to see the response.';
  }
  const message = `${what} ${fix}`;
  // Throttling and server failures pass with time; the rest needs the user to change something.
  return new AwsError(message, { cause: e, fixable: !(status >= 500 || status === 429) });
}

/** Runs `work`, which calls AWS while `doing` something; what the SDK throws comes out explained. */
export async function explained<T>(target: Target, doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw explainAwsError(error, target, doing);
  }
}

/** A short name for the operation, e.g. `S3 HeadObject`, from the SDK's client and command names. */
export function operationName(clientName: string | undefined, commandName: string | undefined): string {
  return `${(clientName ?? '').replace(/Client$/, '')} ${(commandName ?? '').replace(/Command$/, '')}`.trim();
}
