import type { PlannedChange } from './changeset.js';
import { checkRuntimes } from './check-runtimes.js';
import type { Clients } from './clients.js';
import { askConsent, checkState, execute, fingerprintMatches, finish, prepareChangeSet, publishAssets, readStack, synthesize, unchangedOrHotswap } from './deploy-steps.js';
import type { Reporter } from './reporter.js';
import type { GivenSettings, DeploySettings } from './settings.js';

export interface DeployOptions {
  readonly env: string;
  /** Where the synthesized assembly goes (kept between deploys, like cdk.out). */
  readonly outDir: string;
  /** Where `<env>.json` with the outputs is saved. */
  readonly stateDir: string;
  readonly yes: boolean;
  readonly hotswap: boolean;
  /** Settings from the command line; what is not given is taken from the stack (see settings.ts). */
  readonly settings?: GivenSettings;
  /** Templates larger than this (bytes) go through S3 as a TemplateURL; CloudFormation's limit by default. */
  readonly inlineTemplateLimit?: number;
  /** The process's environment variables: the CDK_* ones aws-cdk-lib reads are part of the fingerprint. */
  readonly variables?: Record<string, string | undefined>;
  /**
   * Asks the user, showing the planned changes; the CLI refuses without a TTY. Called only when a
   * change needs consent.
   */
  confirm(question: string, changes: readonly PlannedChange[]): Promise<boolean>;
  /** Ctrl-C: the deploy stops at the next safe point and says what it left behind (nothing, before execution). */
  readonly signal?: AbortSignal;
}

export interface DeployResult {
  readonly stackName: string;
  readonly env: string;
  readonly target: { readonly kind: string; readonly region: string; readonly endpoint?: string };
  readonly outcome: 'created' | 'updated' | 'no-changes' | 'hotswapped';
  readonly changes: PlannedChange[];
  readonly outputs: Record<string, string>;
  readonly outputsFile?: string;
  readonly assets: { readonly uploaded: number; readonly skipped: number };
  readonly durationMs: number;
  /** The settings this deploy used, and which of them were remembered rather than given. */
  readonly settings: DeploySettings & { readonly reused: string[] };
}

/**
 * Synthesizes, publishes assets, and creates or updates the stack through a change set. Each line is
 * one named step (deploy-steps.ts); a step that settles the outcome returns it, and the deploy ends there.
 * Ctrl-C (options.signal) is honoured between steps: before execution nothing on AWS is changed.
 */
export async function deploy(clients: Clients, options: DeployOptions, reporter: Reporter): Promise<DeployResult> {
  const run = await readStack(clients, options, reporter);
  if (fingerprintMatches(run)) return finish(run, 'no-changes', [], run.existing);
  const synth = await synthesize(run);
  const env = await publishAssets(run, synth);
  const existing = await checkState(run);
  await checkRuntimes(synth.template, clients.target, reporter);
  if (existing) {
    const shortcut = await unchangedOrHotswap(run, existing, synth, env);
    if (shortcut) return finish(run, shortcut.outcome, shortcut.changes);
  }
  const changeSet = await prepareChangeSet(run, existing, synth, env);
  if (changeSet.empty) return finish(run, 'no-changes', []);
  await askConsent(run, changeSet);
  await execute(run, existing, changeSet);
  return finish(run, existing ? 'updated' : 'created', changeSet.changes);
}

