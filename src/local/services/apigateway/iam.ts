/**
 * AWS_IAM authorization of an execute-api request: the SigV4 signature (header or query form) must
 * verify against a key the local AWS knows (built-in pairs, Active keys of the local IAM), within API
 * Gateway's clock skew, scoped to `execute-api`. Failures answer as API Gateway does: 403 with
 * `x-amzn-ErrorType` and `{"message": …}`; an Inactive or deleted IAM key is an unknown one, as on AWS.
 */
import type { CredentialSource, KnownCredential } from '../../auth/credentials.js';
import { amzDate, readClaim, verifySigV4, type SignedParts } from '../../auth/sigv4.js';
import { AwsError } from '../../errors.js';

/** API Gateway accepts a signing time within 5 minutes of its clock. */
const SKEW_MS = 5 * 60_000;

export const forbidden = (type: string, message: string) => new AwsError(type, message, 403);

export interface Caller {
  readonly credential: KnownCredential;
  readonly accessKeyId: string;
}

export async function authorizeIam(parts: SignedParts, region: string, credentials: CredentialSource, now = new Date()): Promise<Caller> {
  const claim = readClaim(parts);
  if ('kind' in claim) {
    if (claim.kind === 'missing') throw forbidden('MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (claim.kind === 'malformed') throw forbidden('IncompleteSignatureException', claim.message);
    throw forbidden('IncompleteSignatureException', 'The signature could not be read.');
  }
  if (claim.scope.service !== 'execute-api') throw forbidden('InvalidSignatureException', "Credential should be scoped to correct service: 'execute-api'. ");
  if (claim.scope.region !== region) {
    throw forbidden('InvalidSignatureException', `Credential should be scoped to a valid region, not '${claim.scope.region}'. `);
  }
  if (claim.form === 'header') {
    if (claim.date.getTime() < now.getTime() - SKEW_MS) {
      throw forbidden('InvalidSignatureException', `Signature expired: ${claim.amzDate} is now earlier than ${amzDate(new Date(now.getTime() - SKEW_MS))} (${amzDate(now)} - 5 min.)`);
    }
    if (claim.date.getTime() > now.getTime() + SKEW_MS) {
      throw forbidden('InvalidSignatureException', `Signature not yet current: ${claim.amzDate} is still later than ${amzDate(new Date(now.getTime() + SKEW_MS))} (${amzDate(now)} + 5 min.)`);
    }
  } else if (claim.date.getTime() + (claim.expiresSeconds ?? 0) * 1000 < now.getTime()) {
    const end = new Date(claim.date.getTime() + (claim.expiresSeconds ?? 0) * 1000);
    throw forbidden('InvalidSignatureException', `Signature expired: ${amzDate(end)} is now earlier than ${amzDate(now)}`);
  }
  const result = await verifySigV4(parts, credentials, claim);
  if (result.ok) {
    await credentials.used(result.credential, 'execute-api', region);
    return { credential: result.credential, accessKeyId: claim.accessKeyId };
  }
  if (result.kind === 'unknown-key') throw forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (result.kind === 'mismatch') {
    throw forbidden(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${result.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${result.stringToSign}'\n`,
    );
  }
  throw forbidden('IncompleteSignatureException', 'The signature could not be read.');
}
