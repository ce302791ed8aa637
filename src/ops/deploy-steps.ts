/**
 * The steps of a deploy, in order (deploy.ts lists them). Each takes the run (what every step needs:
 * clients, options, the stack as first read, the resolved settings) and does one thing; a step that
 * can end the deploy says so in what it returns. Ctrl-C is checked between steps: before execution
 * the deploy stops leaving the stack as it was.
 */
import { statSync } from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { assetBucketName, FINGERPRINT_OUTPUT, isProtected, stackName as stackNameOf, stackTags } from '../infra/environment.js';
import { interrupted } from './abort.js';
import { ensureAssetBucket } from './asset-bucket.js';
import { publishAssets as publish, type Environment } from './assets.js';
import { deleteChangeSet, environmentOf, hotswapCode, templateUrl } from './deploy-calls.js';
import { explained } from './aws-errors.js';
import { createChangeSet, destructiveChanges, type ChangeSetResult, type PlannedChange } from './changeset.js';
import type { Clients } from './clients.js';
import { deleteAndWait, failureMessage } from './delete-stack.js';
import type { DeployOptions, DeployResult } from './deploy.js';
import { saveDeployed } from './deploy-state.js';
import { Declined, UserError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import { followStack, latestEventId } from './follow.js';
import { guardProtected } from './guard.js';
import { codeOnlyChanges } from './hotswap.js';
import { step, type Reporter } from './reporter.js';
import { type DeploySettings, type ResolvedSettings, describeReused, isGuarded, rememberedSettings, resolveSettings, settingsTags, synthSettings } from './settings.js';
import { deployedTemplate, describeStack, isInProgress, needsRecreate, sameJson, type StackState } from './stack-state.js';
import { SynthesisAborted, synthesizeOffThread } from './synth-worker.js';
import { synthesizeOnce, type SynthOutput, withoutFingerprint } from './synth-cache.js';

/** CloudFormation takes templates up to this size inline; larger ones must come from S3. */
const INLINE_TEMPLATE_LIMIT = 51_200;

const UNCHANGED = 'nothing was changed on AWS';

/** What every step reads; `assets` is filled in once they are published. */
export interface DeployRun {
  readonly clients: Clients;
  readonly options: DeployOptions;
  readonly reporter: Reporter;
  readonly cfn: CloudFormationClient;
  readonly stackName: string;
  readonly started: number;
  /** The stack as the deploy first found it (undefined: there is none). */
  readonly existing: StackState | undefined;
  readonly settings: DeploySettings;
  readonly resolved: ResolvedSettings;
  /** A protected environment, by name or by a setting remembered or given. */
  readonly guarded: boolean;
  readonly tags: Record<string, string>;
  readonly fingerprint: string;
  assets: DeployResult['assets'];
}

/** Step 1: the stack as it is, and the settings (given, or remembered on it) and tags this deploy uses. */
export async function readStack(clients: Clients, options: DeployOptions, reporter: Reporter): Promise<DeployRun> {
  const started = performance.now();
  const stackName = stackNameOf(options.env);
  if (options.settings?.protected === null && isProtected(options.env)) {
    throw new UserError(`${options.env} is always protected (like prod, production and prd); --no-protected cannot change that.`);
  }
  const cfn = await clients.cloudformation();
  const existing = await explained(clients.target, 'reading the stack', () => describeStack(cfn, stackName));
  // What the stack remembers, under what this command line says; the guard holds if either protects.
  const remembered = rememberedSettings(existing?.tags ?? {});
  const resolved = resolveSettings(remembered, options.settings ?? {});
  const { settings } = resolved;
  const reusedLine = describeReused(settings, resolved.reused);
  if (reusedLine) reporter.emit({ type: 'info', code: 'TAP_SETTINGS_REUSED', message: reusedLine });
  return {
    clients,
    options,
    reporter,
    cfn,
    stackName,
    started,
    existing,
    settings,
    resolved,
    guarded: isGuarded(options.env, remembered) || isGuarded(options.env, settings),
    tags: { ...stackTags(options.env), ...settingsTags(settings) },
    fingerprint: fingerprint({ env: options.env, settings, variables: options.variables ?? {} }).digest,
    assets: { uploaded: 0, skipped: 0 },
  };
}

/**
 * Step 2, the fast path: the stack was deployed from these very inputs (its fingerprint output) with
 * these settings (its tags): nothing to synthesize, upload or change.
 */
export function fingerprintMatches(run: DeployRun): boolean {
  const { existing } = run;
  const same = !!existing && isSettled(existing.status) && existing.outputs[FINGERPRINT_OUTPUT] === run.fingerprint && sameJson(existing.tags, run.tags);
  if (same) {
    run.reporter.emit({ type: 'info', code: 'TAP_DEPLOY_UNCHANGED', message: 'No changes: the deployed stack was built from the same sources, dependencies and settings.' });
  }
  return same;
}

/** Step 3: the template and assets, off the main thread (Ctrl-C stops it), or reused when nothing changed. */
export async function synthesize(run: DeployRun): Promise<SynthOutput> {
  const { options, reporter, stackName, settings } = run;
  const synth = await synthesizeOnce({ outDir: options.outDir, fingerprint: run.fingerprint }, () =>
    step(reporter, 'TAP_SYNTH', `Synthesizing ${stackName}`, () =>
      synthesizeOffThread(
        { envName: options.env, outDir: options.outDir, fingerprint: run.fingerprint, ...synthSettings(settings) },
        options.signal,
      ),
    ),
  ).catch((error: unknown) => {
    throw error instanceof SynthesisAborted ? interrupted(`stopped while synthesizing; ${UNCHANGED}.`) : error;
  });
  if (synth.reused) reporter.emit({ type: 'info', code: 'TAP_SYNTH_REUSED', message: `Reusing the synthesized ${stackName} in ${options.outDir}: nothing that shapes it changed.` });
  stopIfAsked(run, `stopped after synthesis; ${UNCHANGED}.`);
  return synth;
}

/** Step 4: the account, the asset bucket (created if missing) and the assets in it. */
export async function publishAssets(run: DeployRun, synth: SynthOutput): Promise<Environment> {
  const { clients, reporter } = run;
  const { target } = clients;
  const env = await explained(target, 'checking the account', () => environmentOf(clients));
  const s3 = await clients.s3();
  const bucket = assetBucketName(env.account, env.region);
  // A TLS-only policy would deny tap's own requests to a plain-http endpoint that enforces policies.
  const tlsOnly = !target.endpoint?.startsWith('http://');
  await explained(target, `preparing the asset bucket ${bucket}`, () => ensureAssetBucket(s3, bucket, env.region, reporter, { tlsOnly }));
  const assets = await explained(target, 'uploading assets', () => publish(synth.assetManifestFile, env, s3, reporter));
  run.assets = { uploaded: assets.uploaded.length, skipped: assets.skipped.length };
  stopIfAsked(run, 'stopped after uploading the assets (kept for the next deploy); the stack was not changed.');
  return env;
}

/**
 * Step 5: the stack a change set will update, or undefined for one to create. A busy stack is refused;
 * one left unusable by a failed first create is deleted; an empty REVIEW_IN_PROGRESS shell (a CREATE
 * change set never executed, e.g. an earlier deploy stopped at the question) takes another CREATE.
 */
export async function checkState(run: DeployRun): Promise<StackState | undefined> {
  const { existing, stackName } = run;
  if (!existing || existing.status === 'REVIEW_IN_PROGRESS') return undefined;
  if (isInProgress(existing.status)) {
    throw new UserError(
      `${stackName} is busy (${existing.status}): another operation is running on it. Wait for it to finish ` +
        '(its events are in the CloudFormation console, or run tap deploy again in a minute).',
    );
  }
  if (needsRecreate(existing.status)) {
    run.reporter.emit({ type: 'warn', code: 'TAP_DEPLOY_RECREATE', message: `${stackName} is in ${existing.status} after a failed first deploy: deleting it to create it again` });
    await explained(run.clients.target, 'deleting the failed stack', () => deleteAndWait(run.clients, existing.id, stackName, run.reporter));
    return undefined;
  }
  return existing;
}

/**
 * Step 6, for a stack that exists: the same template and tags end the deploy ("no changes"); with
 * --hotswap, a change of function code only is made directly (asking first where the guard holds).
 * Undefined: a change set is needed.
 */
export async function unchangedOrHotswap(
  run: DeployRun,
  existing: StackState,
  synth: SynthOutput,
  env: Environment,
): Promise<{ outcome: 'no-changes' | 'hotswapped'; changes: PlannedChange[] } | undefined> {
  const { options, reporter, clients, stackName } = run;
  const deployed = withoutFingerprint(await explained(clients.target, 'reading the deployed template', () => deployedTemplate(run.cfn, stackName)));
  const template = withoutFingerprint(synth.template);
  const sameTags = sameJson(existing.tags, run.tags);
  // Said once, by the result ("up to date: no changes").
  if (sameJson(deployed, template) && sameTags) return { outcome: 'no-changes', changes: [] };
  if (!options.hotswap) return undefined;
  if (!sameTags) {
    const what = run.resolved.changed.length ? `the settings changed (${run.resolved.changed.join(', ')})` : "the stack's tags changed";
    reporter.emit({ type: 'info', code: 'TAP_DEPLOY_HOTSWAP_FALLBACK', message: `Not only code: ${what}, so this is a full deploy instead of a hotswap.` });
    return undefined;
  }
  const code = codeOnlyChanges(deployed, template);
  if (!code) {
    reporter.emit({ type: 'info', code: 'TAP_DEPLOY_HOTSWAP_FALLBACK', message: 'More than function code changed: doing a full deploy instead of a hotswap.' });
    return undefined;
  }
  const changes = code.map((c): PlannedChange => ({ action: 'Modify', logicalId: c.logicalId, type: 'AWS::Lambda::Function', replacement: 'False' }));
  await guardProtected({
    env: options.env,
    guarded: run.guarded,
    yes: options.yes,
    doing: 'this hotswap replaces its function code',
    confirm: (question) => options.confirm(question, changes),
  });
  await explained(clients.target, 'hotswapping function code', () => hotswapCode(clients, stackName, assetBucketName(env.account, env.region), code, reporter));
  reporter.emit({
    type: 'warn',
    code: 'TAP_DEPLOY_HOTSWAPPED',
    message: 'Hotswapped: the function code was updated directly, so the stack now drifts from its template. Run tap deploy without --hotswap to bring them back together.',
  });
  return { outcome: 'hotswapped', changes };
}

/**
 * Step 7: a change set, worked out by CloudFormation. An empty one means "no changes". A Ctrl-C
 * during it deletes it (and a new stack's empty shell): the stack is left as it was.
 */
export async function prepareChangeSet(run: DeployRun, existing: StackState | undefined, synth: SynthOutput, env: Environment): Promise<ChangeSetResult> {
  const { clients, options, reporter, stackName } = run;
  const changeSet = await explained(clients.target, 'creating the change set', async () => {
    const templateSource =
      statSync(synth.templateFile).size > (options.inlineTemplateLimit ?? INLINE_TEMPLATE_LIMIT) ? { url: templateUrl(clients, env, synth) } : { body: JSON.stringify(synth.template) };
    return step(reporter, 'TAP_DEPLOY_CHANGE_SET', 'Creating a change set', () =>
      createChangeSet(run.cfn, { stackName, type: existing ? 'UPDATE' : 'CREATE', template: templateSource, tags: run.tags }),
    );
  });
  if (options.signal?.aborted && !changeSet.empty) {
    // The consent path's clean-up: the change set goes, and with it a new stack's REVIEW_IN_PROGRESS shell.
    await explained(clients.target, 'deleting the change set', () => deleteChangeSet(clients, stackName, changeSet.id));
    throw interrupted(`stopped before the change set ran: it was deleted${existing ? '' : ' (and the empty new stack with it)'}; the stack was not changed.`);
  }
  stopIfAsked(run, `stopped after CloudFormation found nothing to change; ${UNCHANGED}.`);
  return changeSet;
}

/** Why a change set needs the user's yes (a protected environment, or data replaced or removed), or undefined. */
export function consentReason(env: string, guarded: boolean, yes: boolean, changes: readonly PlannedChange[]): string | undefined {
  const risky = destructiveChanges([...changes]);
  if (yes || !(guarded || risky.length)) return undefined;
  return risky.length ? `This deploy replaces or removes data: ${risky.map((c) => `${c.logicalId} (${c.type}, ${c.action})`).join(', ')}.` : `This deploys to ${env}.`;
}

/** Step 8: the user's yes where it is needed; refused (or no way to ask), the change set is deleted. */
export async function askConsent(run: DeployRun, changeSet: Extract<ChangeSetResult, { empty: false }>): Promise<void> {
  const { options, clients, stackName } = run;
  const why = consentReason(options.env, run.guarded, options.yes, changeSet.changes);
  if (!why) return;
  let accepted = false;
  try {
    accepted = await options.confirm(`${why} Continue?`, changeSet.changes);
  } finally {
    // Refused, or no way to ask: leave nothing behind (a CREATE change set leaves a stack too).
    if (!accepted) await explained(clients.target, 'deleting the change set', () => deleteChangeSet(clients, stackName, changeSet.id));
  }
  if (!accepted) throw new Declined('Deploy cancelled: nothing was changed.');
}

/**
 * Step 9: the change set runs, followed resource by resource. Ctrl-C stops the following only:
 * CloudFormation goes on, and the message says so.
 */
export async function execute(run: DeployRun, existing: StackState | undefined, changeSet: Extract<ChangeSetResult, { empty: false }>): Promise<void> {
  const { clients, options, reporter, stackName, cfn } = run;
  const { signal } = options;
  const before = await explained(clients.target, 'reading the stack events', () => latestEventId(cfn, stackName));
  await explained(clients.target, 'executing the change set', async () => {
    const { ExecuteChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.id, StackName: stackName }));
  });
  const followed = await explained(clients.target, 'following the deploy', () =>
    step(reporter, 'TAP_DEPLOY_EXECUTE', `${existing ? 'Updating' : 'Creating'} ${stackName} (${changeSet.changes.length} changes)`, () =>
      untilAborted(followStack(cfn, { name: stackName }, before, changeSet.changes.length, reporter, signal ? { signal } : {}), signal),
    ),
  );
  if (followed === 'aborted') {
    throw interrupted(
      `stopped following; the change set had already started, so CloudFormation goes on ${existing ? 'updating' : 'creating'} ${stackName} ` +
        '(a failure rolls it back). Run tap deploy again to see where it ended.',
    );
  }
  if (!followed.ok) throw new UserError(failureMessage(stackName, followed.status, followed.failures), 1);
}

/** Last step: the result, after saving the outputs to `.tap/<env>.json`; `state` is the stack if it was just read. */
export async function finish(run: DeployRun, outcome: DeployResult['outcome'], changes: PlannedChange[], state?: StackState): Promise<DeployResult> {
  const { clients, options, stackName, settings } = run;
  const { target } = clients;
  const now = state ?? (await explained(target, 'reading the outputs', () => describeStack(run.cfn, stackName)));
  const { [FINGERPRINT_OUTPUT]: _fingerprint, ...outputs } = now?.outputs ?? {};
  const outputsFile = saveDeployed(options.stateDir, {
    env: options.env,
    stackName,
    region: target.region,
    target: target.kind,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    outputs,
    deployedAt: new Date().toISOString(),
    ...(settings.protected && { protected: true }),
  });
  return {
    stackName,
    env: options.env,
    target: { kind: target.kind, region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}) },
    outcome,
    changes,
    assets: run.assets,
    outputs,
    outputsFile,
    durationMs: Math.round(performance.now() - run.started),
    settings: { ...settings, reused: run.resolved.reused },
  };
}

function stopIfAsked(run: DeployRun, state: string): void {
  if (run.options.signal?.aborted) throw interrupted(state);
}

/** The work's result, or 'aborted' as soon as the signal fires (following stops too, see followStack). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return work;
  return Promise.race([work, new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }))]);
}

/** A stack whose last operation finished and left it usable (its outputs are those of its template). */
export function isSettled(status: string): boolean {
  return !isInProgress(status) && !needsRecreate(status) && !status.includes('FAILED') && status !== 'REVIEW_IN_PROGRESS';
}
