import { isAbsolute, relative } from 'node:path';
import { synthesize } from '../infra/app.js';
import type { RuleFinding } from '../infra/rules.js';
import { UserError } from './errors.js';
import { step, type Reporter } from './reporter.js';

export interface SynthOptions {
  readonly env: string;
  /** Folder for the cloud assembly; relative paths are taken from the current directory. */
  readonly outDir: string;
  /** Run CDK's template validation and the cdk-nag security packs. */
  readonly validate: boolean;
  readonly alarmEmail?: string;
}

export interface SynthResult {
  readonly stackName: string;
  readonly env: string;
  readonly outDir: string;
  readonly templateFile: string;
  readonly assetManifestFile: string;
  /** Resource count per CloudFormation type, sorted by type. */
  readonly resources: Record<string, number>;
  readonly resourceCount: number;
  readonly outputs: string[];
  readonly bundleBytes: number;
  readonly durationMs: number;
  /** Present with `validate`: unacknowledged cdk-nag findings (empty when all rules pass). */
  readonly findings?: RuleFinding[];
}

/** Synthesizes one environment's stack in-process: no `cdk` CLI, no cdk.json, no bootstrap. */
export async function synth(options: SynthOptions, reporter: Reporter): Promise<SynthResult> {
  const started = performance.now();
  const out = await step(reporter, `Synthesizing TapStack-${options.env}`, async () => {
    try {
      return await synthesize({
        envName: options.env,
        outDir: options.outDir,
        validate: options.validate,
        ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
      });
    } catch (error) {
      // aws-cdk-lib puts the report in the message, or prints it to stderr and points at the file.
      if (error instanceof Error && error.name === 'ValidationFailed') {
        throw new UserError(`The template failed CloudFormation validation:\n${error.message}`, 1);
      }
      throw error;
    }
  });

  let findings: RuleFinding[] | undefined;
  if (options.validate) {
    const { checkSecurityRules } = await import('../infra/rules.js');
    findings = await step(reporter, 'Checking security rules (cdk-nag AwsSolutions, Serverless)', () =>
      checkSecurityRules(out.stack),
    );
  }

  const template = out.template as { Resources?: Record<string, { Type: string }>; Outputs?: object };
  const resources: Record<string, number> = {};
  for (const { Type } of Object.values(template.Resources ?? {})) resources[Type] = (resources[Type] ?? 0) + 1;
  const cwd = process.cwd();
  // Paths under the current directory are shown relative to it, others in full.
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel || '.';
  };
  return {
    stackName: out.stackName,
    env: options.env,
    outDir: show(options.outDir),
    templateFile: show(out.templateFile),
    assetManifestFile: show(out.assetManifestFile),
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))),
    resourceCount: Object.keys(template.Resources ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}),
    bundleBytes: out.bundleBytes,
    durationMs: Math.round(performance.now() - started),
    ...(findings ? { findings } : {}),
  };
}
