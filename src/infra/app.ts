import type { App, Stack } from 'aws-cdk-lib/core';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { bundleHandlers } from './bundle.js';
import { validateEnvName } from './environment.js';

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
 * inspect it (construct.ts). The handler bundles are started first: esbuild works in its own process
 * while aws-cdk-lib loads here.
 */
export async function buildApp(options: BuildOptions): Promise<BuiltApp> {
  validateEnvName(options.envName);
  const bundles = bundleHandlers(options.outDir);
  bundles.catch(() => undefined); // awaited below; the import must not leave its rejection unhandled
  const { constructApp } = await import('./construct.js');
  return constructApp(options, await bundles);
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
