import { App, CfnOutput, CliCredentialsStackSynthesizer, type Stack } from 'aws-cdk-lib/core';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { bundleHandler } from './bundle.js';
import { ASSET_BUCKET_PLACEHOLDER, FINGERPRINT_OUTPUT, stackName, validateEnvName } from './environment.js';
import { TapStack } from './stack.js';

export interface BuildOptions {
  readonly envName: string;
  /** Where the cloud assembly (template, asset manifest, assets) is written. */
  readonly outDir: string;
  readonly alarmEmail?: string;
  readonly webhookUrl?: string;
  readonly deliveryAttempts?: number;
  readonly deliveryIntervalSeconds?: number;
  readonly bigFileThresholdBytes?: number;
  readonly bigFileConcurrency?: number;
  readonly bigFileTolerance?: number;
  /** Run CDK's built-in CloudFormation template validation (costs seconds). */
  readonly validate?: boolean;
  /** The fingerprint of the inputs (src/ops/fingerprint.ts), recorded as a stack output. */
  readonly fingerprint?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: Stack;
  readonly bundleBytes: number;
}

/**
 * Builds the construct tree of one environment without synthesizing it, so tests and cdk-nag can
 * inspect it. No bootstrap: the synthesizer uses the caller's credentials and a tap-owned asset bucket.
 */
export async function buildApp(options: BuildOptions): Promise<BuiltApp> {
  const envName = validateEnvName(options.envName);
  const bundle = await bundleHandler('processor', options.outDir);
  const apiBundle = await bundleHandler('api', options.outDir);
  const notifierBundle = await bundleHandler('notifier', options.outDir);
  const podBundle = await bundleHandler('pod-processor', options.outDir);
  const bigFileBundle = await bundleHandler('big-file', options.outDir);
  const validate = options.validate ?? false;
  const app = new App({
    outdir: options.outDir,
    builtinCloudFormationValidation: validate,
    // Without this flag the template validation only warns; with --validate a finding must fail synth.
    context: validate ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : {},
  });
  const stack = new TapStack(app, stackName(envName), {
    envName,
    processorCodeDir: bundle.dir,
    apiCodeDir: apiBundle.dir,
    notifierCodeDir: notifierBundle.dir,
    podCodeDir: podBundle.dir,
    bigFileCodeDir: bigFileBundle.dir,
    ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    ...(options.deliveryAttempts !== undefined ? { deliveryAttempts: options.deliveryAttempts } : {}),
    ...(options.deliveryIntervalSeconds !== undefined ? { deliveryIntervalSeconds: options.deliveryIntervalSeconds } : {}),
    ...(options.bigFileThresholdBytes !== undefined ? { bigFileThresholdBytes: options.bigFileThresholdBytes } : {}),
    ...(options.bigFileConcurrency !== undefined ? { bigFileConcurrency: options.bigFileConcurrency } : {}),
    ...(options.bigFileTolerance !== undefined ? { bigFileTolerance: options.bigFileTolerance } : {}),
    description: `tap shipment file pipeline (${envName})`,
    synthesizer: new CliCredentialsStackSynthesizer({
      fileAssetsBucketName: ASSET_BUCKET_PLACEHOLDER,
      bucketPrefix: 'assets/',
    }),
  });
  if (options.fingerprint) {
    new CfnOutput(stack, FINGERPRINT_OUTPUT, { value: options.fingerprint, description: 'What this template was built from (tap deploy skips the synth when it matches)' });
  }
  return { app, stack, bundleBytes: bundle.bytes };
}

export interface Synthesized {
  readonly assembly: CloudAssembly;
  readonly stack: Stack;
  readonly stackName: string;
  /** The CloudFormation template as JSON. */
  readonly template: Record<string, unknown>;
  readonly templateFile: string;
  readonly assetManifestFile: string;
  readonly bundleBytes: number;
}

/** Synthesizes one environment's stack in-process into `outDir`. */
export async function synthesize(options: BuildOptions): Promise<Synthesized> {
  const { app, stack, bundleBytes } = await buildApp(options);
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const assetManifest = artifact.dependencies.find((d) => d.id.endsWith('.assets'));
  return {
    assembly,
    stack,
    stackName: stack.stackName,
    template: artifact.template as Record<string, unknown>,
    templateFile: artifact.templateFullPath,
    assetManifestFile: assetManifest ? `${options.outDir}/${assetManifest.id}.json` : '',
    bundleBytes,
  };
}
