import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { lookUpCredentials } from './credentials.js';
import { UserError } from './errors.js';
import type { Reporter } from './reporter.js';

/** Where commands send their AWS calls. Every command resolves its target the same way. */
export interface Target {
  readonly kind: 'local' | 'endpoint' | 'aws';
  readonly region: string;
  /** Set for `local` and `endpoint`: every client talks to it. */
  readonly endpoint?: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly profile?: string;
  /** One line for the user: which AWS and which region. */
  readonly description: string;
  /** The local AWS was chosen because no AWS credentials were found (not asked for with --local). */
  readonly fallback?: true;
  /** The local AWS's data dir: which local AWS this is, whatever port it listens on. */
  readonly localDataDir?: string;
}

export interface TargetOptions {
  /** `--local` (or TAP_TARGET=local). */
  readonly local?: boolean;
  /** `--endpoint-url` (or AWS_ENDPOINT_URL). */
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly profile?: string;
  /** The environment, passed in by the CLI (ops never read `process`). */
  readonly env: Record<string, string | undefined>;
  /** Where the local AWS runs when it is the target. */
  readonly localDataDir: string;
  readonly localPort: number;
  /** Web origins the local AWS allows besides loopback ones, if this command starts it. */
  readonly localAllowedOrigins?: readonly string[];
}

const LOCAL_CREDENTIALS = { accessKeyId: 'tap-local', secretAccessKey: 'tap-local' };
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export async function resolveTarget(options: TargetOptions, reporter: Reporter): Promise<Target> {
  const { env } = options;
  const profile = options.profile ?? env.AWS_PROFILE;
  const region = checkRegion(options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION);

  if (options.local || env.TAP_TARGET === 'local') return local(options, region ?? 'us-east-1', reporter);

  const endpoint = options.endpointUrl ?? env.AWS_ENDPOINT_URL;
  if (endpoint) {
    checkEndpoint(endpoint);
    const found = await lookUpCredentials(profile, env);
    const r = region ?? 'us-east-1';
    return {
      kind: 'endpoint',
      region: r,
      endpoint: endpoint.replace(/\/+$/, ''),
      // Emulators accept any credentials; real ones are used when there are some.
      credentials: found.found ? found.provider : LOCAL_CREDENTIALS,
      ...(profile ? { profile } : {}),
      description: `${endpoint} (${r})`,
    };
  }

  const found = await lookUpCredentials(profile, env);
  if (!found.found) {
    if (found.explicit) {
      throw new UserError(
        `No usable AWS credentials${profile ? ` for profile "${profile}"` : ''}: ${found.reason}\n` +
          (profile ? `Check the profile in ~/.aws/config, or sign in: aws sso login --profile ${profile}` : 'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or run: aws configure') +
          '\nTo use the local AWS instead: add --local.',
      );
    }
    // Said by announceTarget (target-notice.ts), at length only the first time.
    return { ...(await local(options, region ?? 'us-east-1', reporter)), fallback: true };
  }
  const awsRegion = region ?? (await profileRegion(profile));
  if (!awsRegion) {
    throw new UserError('No AWS region set. Pass --region (for example --region eu-west-1), set AWS_REGION, or add region to your profile.');
  }
  const unknown = await unknownRegion(awsRegion);
  if (unknown) reporter.emit({ type: 'warn', code: 'TAP_TARGET_REGION_UNKNOWN', message: unknown });
  return {
    kind: 'aws',
    region: awsRegion,
    credentials: found.provider,
    ...(profile ? { profile } : {}),
    description: `AWS${profile ? ` (profile ${profile})` : ''}, ${awsRegion}`,
  };
}

async function local(options: TargetOptions, region: string, reporter: Reporter): Promise<Target> {
  // The emulator's modules (src/local) load only when the local AWS is the target.
  const { startLocal } = await import('./local.js');
  const started = await startLocal(
    {
      dataDir: options.localDataDir,
      port: options.localPort,
      ...(options.localAllowedOrigins && { allowedOrigins: options.localAllowedOrigins }),
    },
    reporter,
  );
  return {
    kind: 'local',
    region,
    endpoint: started.info.endpoint,
    credentials: LOCAL_CREDENTIALS,
    description: `the local AWS at ${started.info.endpoint} (${region})`,
    localDataDir: options.localDataDir,
  };
}

function checkRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !REGION.test(region)) {
    throw new UserError(`"${region}" is not an AWS region name. Use one like us-east-1 or eu-west-1.`);
  }
  return region;
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UserError(`--endpoint-url "${endpoint}" is not a URL. Use one like http://127.0.0.1:4566.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--endpoint-url must be http:// or https://, not ${url.protocol}`);
  }
}

/**
 * A warning when the region is not one this version of tap knows (a typo, most likely; or a region
 * newer than tap's aws-cdk-lib, which is why this only warns).
 */
export async function unknownRegion(region: string): Promise<string | undefined> {
  const { RegionInfo } = await import('aws-cdk-lib/region-info');
  const known = RegionInfo.regions.map((r) => r.name).filter((name) => !name.includes('iso'));
  if (known.includes(region)) return undefined;
  const [area] = region.split('-');
  const near = known.filter((name) => name.startsWith(`${area}-`)).slice(0, 6);
  return `"${region}" is not a region tap knows${near.length ? ` (known ${area}- regions: ${near.join(', ')})` : ''}. If it is a new region, go on; otherwise fix --region.`;
}

/** The region the SDK would use for this profile (from ~/.aws/config), if any. */
async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  const client = new STSClient(profile ? { profile } : {});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
