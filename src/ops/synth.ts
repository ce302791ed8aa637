import { isAbsolute, relative } from 'node:path';
import type { Synthesized } from '../infra/app.js';
import { FINGERPRINT_OUTPUT } from '../infra/environment.js';
import type { RuleFinding } from '../infra/rules.js';
import { UserError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import { step, type Reporter } from './reporter.js';
import { synthesizeOnce } from './synth-cache.js';

export interface SynthOptions {
  readonly env: string;
  /** Folder for the cloud assembly; relative paths are taken from the current directory. */
  readonly outDir: string;
  /** Run CDK's template validation and the cdk-nag security packs. */
  readonly validate: boolean;
  readonly alarmEmail?: string;
  /** Synthesize even when the output in outDir was built from the same inputs. */
  readonly force?: boolean;
  /** The process's environment variables: the CDK_* ones aws-cdk-lib reads are part of the fingerprint. */
  readonly variables?: Record<string, string | undefined>;
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
  /** The output in outDir was built from the same inputs and reused: nothing was synthesized. */
  readonly reused: boolean;
  /** The fingerprint of the inputs (src/ops/fingerprint.ts). */
  readonly fingerprint: string;
  /** Present with `validate`: unacknowledged cdk-nag findings (empty when all rules pass). */
  readonly findings?: RuleFinding[];
}

/** Synthesizes one environment's stack in-process: no `cdk` CLI, no cdk.json, no bootstrap. */
export async function synth(options: SynthOptions, reporter: Reporter): Promise<SynthResult> {
  const started = performance.now();
  const settings = options.alarmEmail ? { alarmEmail: options.alarmEmail } : {};
  const print = fingerprint({ env: options.env, settings, variables: options.variables ?? {} });
  // --validate inspects the construct tree, which only a synth builds.
  const force = Boolean(options.force || options.validate);
  let built: Synthesized | undefined;
  const build = () =>
    step(reporter, 'TAP_SYNTH', `Synthesizing TapStack-${options.env}`, async () => {
      try {
        const { synthesize } = await import('../infra/app.js');
        return (built = await synthesize({
          envName: options.env,
          outDir: options.outDir,
          validate: options.validate,
          fingerprint: print.digest,
          ...settings,
        }));
      } catch (error) {
        // aws-cdk-lib puts the report in the message, or prints it to stderr and points at the file.
        if (error instanceof Error && error.name === 'ValidationFailed') {
          throw new UserError(`The template failed CloudFormation validation:\n${error.message}`, 1);
        }
        throw error;
      }
    });
  const out = await synthesizeOnce({ outDir: options.outDir, fingerprint: print.digest, force }, build);
  if (out.reused) {
    reporter.emit({ type: 'info', code: 'TAP_SYNTH_REUSED', message: `Nothing that shapes TapStack-${options.env} changed since the last synth: reusing ${options.outDir} (--force rebuilds).` });
  }

  let findings: RuleFinding[] | undefined;
  if (options.validate) {
    const { checkSecurityRules } = await import('../infra/rules.js');
    findings = await step(reporter, 'TAP_SYNTH_NAG', 'Checking security rules (cdk-nag AwsSolutions, Serverless)', () =>
      checkSecurityRules(built!.stack),
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
    outputs: Object.keys(template.Outputs ?? {}).filter((name) => name !== FINGERPRINT_OUTPUT),
    bundleBytes: out.bundleBytes,
    durationMs: Math.round(performance.now() - started),
    reused: out.reused,
    fingerprint: out.fingerprint,
    ...(findings ? { findings } : {}),
  };
}
