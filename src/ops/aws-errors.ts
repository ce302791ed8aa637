import { TapError, UserError } from './errors.js';
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

/**
 * Turns what the SDK throws into an error a person can act on: expired or wrong credentials name
 * the profile and what to run; an unreachable endpoint names the endpoint. Anything else is a
 * TapError with the AWS error as its cause.
 */
export function explainAwsError(error: unknown, target: Target, doing: string): Error {
  if (error instanceof UserError || error instanceof TapError) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const name = e.name ?? '';
  const code = e.code ?? e.cause?.code ?? '';
  if (CREDENTIAL_ERRORS.has(name)) {
    const fix = target.profile
      ? `Sign in again (aws sso login --profile ${target.profile}) or fix the profile "${target.profile}" in ~/.aws/config.`
      : 'Refresh them (aws configure, or new AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), or pass --profile NAME.';
    return new UserError(`AWS rejected the credentials while ${doing} (${name}: ${e.message}). ${fix}`);
  }
  if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name)) {
    const where = target.endpoint ?? `AWS in ${target.region}`;
    const hint = target.kind === 'local' ? ' Is the local AWS running? Check: tap local status' : ' Check the network, the endpoint URL and the region.';
    return new UserError(`Could not reach ${where} while ${doing} (${code || name}).${hint}`);
  }
  return new TapError(`AWS returned an error while ${doing}: ${name ? `${name}: ` : ''}${e.message ?? String(error)}`, { cause: error });
}
