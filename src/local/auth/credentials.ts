/**
 * The credentials the local AWS knows, for the places that verify signatures (API Gateway's AWS_IAM
 * methods, S3 presigned URLs and POST policies). Everything else accepts any signature, as before.
 */
import { ACCOUNT_ID } from '../config.js';
import { LOCAL_LAMBDA_CREDENTIALS } from '../services/lambda/runtime.js';

export interface KnownCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Who signs with it, as API Gateway reports the caller (`requestContext.identity`). */
  readonly userArn: string;
  readonly user: string;
}

const account = ACCOUNT_ID;

const KNOWN: readonly KnownCredential[] = [
  // The SDKs' and emulators' customary test pair, and what `tap` signs with on the local AWS.
  { accessKeyId: 'test', secretAccessKey: 'test', userArn: `arn:aws:iam::${account}:user/test`, user: 'test' },
  { accessKeyId: 'tap-local', secretAccessKey: 'tap-local', userArn: `arn:aws:iam::${account}:user/tap-local`, user: 'tap-local' },
  // Functions run with these (lambda/runtime.ts): what they presign must verify.
  {
    accessKeyId: LOCAL_LAMBDA_CREDENTIALS.accessKeyId,
    secretAccessKey: LOCAL_LAMBDA_CREDENTIALS.secretAccessKey,
    userArn: `arn:aws:sts::${account}:assumed-role/tap-local-lambda/function`,
    user: 'tap-local-lambda',
  },
];

/** The credential for an access key id, or undefined ("The security token included in the request is invalid"). */
export function knownCredential(accessKeyId: string): KnownCredential | undefined {
  return KNOWN.find((c) => c.accessKeyId === accessKeyId);
}
