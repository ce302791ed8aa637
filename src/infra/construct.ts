/**
 * The construct tree of one environment, from handler bundles already built: the part of a synth that
 * needs aws-cdk-lib, loaded by app.ts only once the bundles are under way.
 */
import { App, CfnOutput, CliCredentialsStackSynthesizer } from 'aws-cdk-lib/core';
import type { BuildOptions, BuiltApp } from './app.js';
import type { HandlerBundles } from './bundle.js';
import { ASSET_BUCKET_PLACEHOLDER, FINGERPRINT_OUTPUT, stackName, validateEnvName } from './environment.js';
import { TapStack } from './stack.js';

/** No bootstrap: the synthesizer uses the caller's credentials and a tap-owned asset bucket. */
export function constructApp(options: BuildOptions, bundles: HandlerBundles): BuiltApp {
  const envName = validateEnvName(options.envName);
  const { processor: bundle, api: apiBundle, notifier: notifierBundle, 'pod-processor': podBundle, 'big-file': bigFileBundle } = bundles;
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
