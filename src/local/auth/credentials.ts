/**
 * The credentials the local AWS knows, for the places that verify signatures (API Gateway's AWS_IAM
 * methods, S3 presigned URLs and POST policies): the built-in pairs below, and the Active access keys
 * created through the local IAM. Everything else accepts any signature, as before.
 */
import { ACCOUNT_ID } from '../config.js';
import type { LocalContext } from '../service.js';
import type { IamApi } from '../services/contracts.js';
import { LOCAL_LAMBDA_CREDENTIALS } from '../services/lambda/runtime.js';

export interface KnownCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Who signs with it, as API Gateway reports the caller (`requestContext.identity`). */
  readonly userArn: string;
  readonly user: string;
  /** A key the local IAM created (its uses are recorded, its status can change). */
  readonly iam?: true;
}

/** Finds the secret of an access key; records verified uses of IAM keys. */
export interface CredentialSource {
  find(accessKeyId: string): Promise<KnownCredential | undefined>;
  used(credential: KnownCredential, serviceName: string, region: string): Promise<void>;
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

/** A built-in credential for an access key id, or undefined. */
export function builtinCredential(accessKeyId: string): KnownCredential | undefined {
  return KNOWN.find((c) => c.accessKeyId === accessKeyId);
}

/** The built-in pairs, then the local IAM's Active keys (an Inactive or deleted key is unknown). */
export function localCredentials(ctx: LocalContext): CredentialSource {
  const iam = () => ctx.service<IamApi>('iam');
  return {
    async find(accessKeyId) {
      const builtin = builtinCredential(accessKeyId);
      if (builtin) return builtin;
      const key = await iam().activeAccessKey(accessKeyId);
      return key && { accessKeyId, secretAccessKey: key.secretAccessKey, userArn: key.userArn, user: key.userName, iam: true };
    },
    async used(credential, serviceName, region) {
      if (!credential.iam) return;
      try {
        await iam().noteAccessKeyUse(credential.accessKeyId, serviceName, region);
      } catch (error) {
        // Bookkeeping only: the request it belongs to goes on.
        console.error(`[tap local] IAM: last use of ${credential.accessKeyId} not recorded:`, (error as Error).message);
      }
    },
  };
}
