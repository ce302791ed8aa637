/**
 * What an environment name may be, and what follows from it. Kept free of aws-cdk-lib so the CLI can
 * validate `--env` before loading anything heavy.
 */

const ENV_NAME = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

export class InvalidEnvironmentError extends Error {
  override readonly name = 'InvalidEnvironmentError';
}

/** Throws a message that says what a valid name looks like. */
export function validateEnvName(name: string): string {
  if (!ENV_NAME.test(name) || name.includes('--')) {
    throw new InvalidEnvironmentError(
      `Invalid environment name "${name}". Use 1-20 lowercase letters, digits or single hyphens, ` +
        'starting and ending with a letter or digit (for example: dev, staging, prod, team-a).',
    );
  }
  return name;
}

export function stackName(env: string): string {
  return `TapStack-${env}`;
}

/** Environment names that are protected without being marked (`tap deploy --protected` marks others). */
export const PROTECTED_ENVS: readonly string[] = ['prod', 'production', 'prd'];

/**
 * These keep their data when the stack goes away and protect their tables; other envs are disposable.
 * Every mutating command also asks before touching them (see src/ops/guard.ts).
 */
export function isProtected(env: string): boolean {
  return PROTECTED_ENVS.includes(env);
}

/** CloudWatch Logs retention for the processor's logs. */
export function logRetentionDays(env: string): 7 | 30 {
  return isProtected(env) ? 30 : 7;
}

/** The bucket `tap deploy` creates for assets, with placeholders the deploy engine fills in. */
export const ASSET_BUCKET_PLACEHOLDER = 'tap-assets-${AWS::AccountId}-${AWS::Region}';

export function assetBucketName(account: string, region: string): string {
  return `tap-assets-${account}-${region}`;
}

/** The tags on the stack (and so on every resource in it); deploy compares them to see a settings change. */
export function stackTags(env: string): Record<string, string> {
  return { Project: 'tap', Environment: env, ManagedBy: 'tap' };
}

/**
 * The stack output that holds the fingerprint of the inputs it was synthesized from (src/ops/fingerprint.ts),
 * so a deploy can tell from DescribeStacks alone that nothing changed.
 */
export const FINGERPRINT_OUTPUT = 'TapFingerprint';
