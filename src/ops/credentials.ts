import { existsSync, readFileSync } from 'node:fs';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { sdk } from './sdk.js';

/**
 * The standard credential sources, in the SDK's order — environment, shared config/credentials
 * files (profiles, SSO, credential_process), web identity token, container credentials — with one
 * change: the EC2 instance metadata service is asked only on a machine that says it is EC2. On any
 * other machine that probe would only wait for a time-out (and send traffic to 169.254.169.254) before
 * `tap` could say "no credentials, using the local AWS".
 */
export async function credentialChain(
  profile: string | undefined,
  env: Record<string, string | undefined>,
): Promise<AwsCredentialIdentityProvider> {
  const providers = sdk.credentialProviders();
  const options = profile ? { profile } : {};
  const links: AwsCredentialIdentityProvider[] = [];
  // With an explicit profile, AWS_ACCESS_KEY_ID in the environment must not win over it.
  if (!profile) links.push(providers.fromEnv());
  links.push(providers.fromIni(options), providers.fromProcess(options), providers.fromTokenFile());
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    links.push(providers.fromContainerMetadata());
  }
  if (env.AWS_EC2_METADATA_DISABLED !== 'true' && looksLikeEc2()) links.push(providers.fromInstanceMetadata());
  return providers.createCredentialChain(...links).expireAfter(15 * 60_000);
}

export type CredentialLookup =
  | { readonly found: true; readonly credentials: AwsCredentialIdentity; readonly provider: AwsCredentialIdentityProvider }
  | { readonly found: false; readonly reason: string; readonly explicit: boolean };

/**
 * Resolves credentials once. `explicit` says whether the user pointed at a source (a profile, key
 * variables): then a failure is theirs to fix, not a reason to fall back to the local AWS.
 */
export async function lookUpCredentials(profile: string | undefined, env: Record<string, string | undefined>): Promise<CredentialLookup> {
  const provider = await credentialChain(profile, env);
  const explicit = Boolean(profile || env.AWS_ACCESS_KEY_ID || env.AWS_WEB_IDENTITY_TOKEN_FILE);
  try {
    return { found: true, credentials: await provider(), provider };
  } catch (error) {
    return { found: false, reason: (error as Error).message, explicit };
  }
}

function looksLikeEc2(): boolean {
  for (const file of ['/sys/class/dmi/id/board_vendor', '/sys/class/dmi/id/sys_vendor', '/sys/hypervisor/uuid']) {
    try {
      if (existsSync(file) && /amazon|^ec2/i.test(readFileSync(file, 'utf8').trim())) return true;
    } catch {
      // unreadable: not evidence either way
    }
  }
  return false;
}
