/**
 * Presigned URLs (query-string SigV4): S3 checks them, so the local S3 does too. A request whose query
 * carries `X-Amz-Signature` must be signed by a key the local AWS knows (auth/credentials.ts: built-in
 * pairs and the local IAM's Active keys; an Inactive or deleted key is InvalidAccessKeyId), within
 * `X-Amz-Date` + `X-Amz-Expires` (at most 7 days), over exactly the headers it names, and every
 * `x-amz-*` header it sends must be among them. Header-signed SDK requests are not checked (the local
 * AWS accepts any credentials there, as before).
 */
import type { CredentialSource } from '../../auth/credentials.js';
import { readClaim, verifySigV4 } from '../../auth/sigv4.js';
import { AwsError } from '../../errors.js';
import type { ServiceRequest } from '../../request.js';

const WEEK = 604_800;

const accessDenied = (message: string, fields?: Record<string, string>) => new AwsError('AccessDenied', message, 403, { ...(fields && { fields }) });

/** Whether the request is presigned (query form). */
export function isPresigned(rawQuery: string): boolean {
  return /(^|&)X-Amz-Signature=/.test(rawQuery);
}

export async function verifyPresigned(req: ServiceRequest, rawPath: string, rawQuery: string, credentials: CredentialSource, now = new Date()): Promise<void> {
  const parts = { method: req.method, rawPath, rawQuery, headers: req.headers, rawHeaders: req.raw.rawHeaders, service: 's3' as const };
  const claim = readClaim(parts);
  if ('kind' in claim) {
    const message = claim.kind === 'malformed' ? claim.message : 'Query-string authentication requires the X-Amz-Signature parameter.';
    throw new AwsError('AuthorizationQueryParametersError', message, 400);
  }
  if ((claim.expiresSeconds ?? 0) > WEEK) {
    throw new AwsError('AuthorizationQueryParametersError', `X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than ${WEEK} seconds`, 400);
  }
  const expires = new Date(claim.date.getTime() + (claim.expiresSeconds ?? 0) * 1000);
  if (expires.getTime() < now.getTime()) {
    throw accessDenied('Request has expired', { 'X-Amz-Expires': String(claim.expiresSeconds), Expires: iso(expires), ServerTime: iso(now) });
  }
  if (claim.date.getTime() > now.getTime() + 15 * 60_000) throw accessDenied('Request is not valid yet');
  if (!claim.signedHeaders.includes('host')) throw accessDenied('The request must sign the host header.');
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !claim.signedHeaders.includes(h));
  if (unsigned.length > 0) throw accessDenied('There were headers present in the request which were not signed', { HeadersNotSigned: unsigned.join(', ') });
  const result = await verifySigV4(parts, credentials, claim);
  if (result.ok) return credentials.used(result.credential, 's3', claim.scope.region);
  if (result.kind === 'unknown-key') {
    throw new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { fields: { AWSAccessKeyId: claim.accessKeyId } });
  }
  if (result.kind === 'mismatch') {
    throw new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403, {
      fields: { AWSAccessKeyId: claim.accessKeyId, StringToSign: result.stringToSign, SignatureProvided: claim.signature, CanonicalRequest: result.canonicalRequest },
    });
  }
  throw accessDenied('Access Denied');
}

/** S3's timestamps in error fields: `2026-01-01T00:00:00Z`. */
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
