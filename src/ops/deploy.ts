import { readFileSync, statSync } from 'node:fs';
import { interrupted } from './abort.js';
import { assetBucketName, FINGERPRINT_OUTPUT, isProtected, stackName as stackNameOf, stackTags } from '../infra/environment.js';
import { ensureAssetBucket } from './asset-bucket.js';
import { fillPlaceholders, publishAssets, type Environment } from './assets.js';
import { explained } from './aws-errors.js';
import { createChangeSet, destructiveChanges, type PlannedChange } from './changeset.js';
import type { Clients } from './clients.js';
import { saveDeployed } from './deploy-state.js';
import { Declined, UserError } from './errors.js';
import { deleteAndWait, failureMessage } from './delete-stack.js';
import { followStack, latestEventId } from './follow.js';
import { fingerprint } from './fingerprint.js';
import { guardProtected } from './guard.js';
import { codeOnlyChanges } from './hotswap.js';
import { step, type Reporter } from './reporter.js';
import { SynthesisAborted, synthesizeOffThread } from './synth-worker.js';
import { type DeploySettings, type GivenSettings, describeReused, isGuarded, rememberedSettings, resolveSettings, settingsTags } from './settings.js';
import { deployedTemplate, describeStack, isInProgress, needsRecreate, sameJson, type StackState } from './stack-state.js';
import { synthesizeOnce, type SynthOutput, withoutFingerprint } from './synth-cache.js';

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

/** CloudFormation takes templates up to this size inline; larger ones must come from S3. */
const INLINE_TEMPLATE_LIMIT = 51_200;

/** Synthesizes, publishes assets, and creates or updates the stack through a change set. */
export async function deploy(clients: Clients, options: DeployOptions, reporter: Reporter): Promise<DeployResult> {
  const started = performance.now();
  const { target } = clients;
  const stackName = stackNameOf(options.env);
  reporter.emit({ type: 'info', code: 'TAP_TARGET', message: `Target: ${target.description}` });
  const attempt = <T>(doing: string, work: () => Promise<T>): Promise<T> => explained(target, doing, work);

  if (options.settings?.protected === null && isProtected(options.env)) {
    throw new UserError(`${options.env} is always protected (like prod, production and prd); --no-protected cannot change that.`);
  }
  const cfn = await clients.cloudformation();
  let existing = await attempt('reading the stack', () => describeStack(cfn, stackName));
  // What the stack remembers, under what this command line says; the guard holds if either protects.
  const remembered = rememberedSettings(existing?.tags ?? {});
  const resolved = resolveSettings(remembered, options.settings ?? {});
  const { settings } = resolved;
  const guarded = isGuarded(options.env, remembered) || isGuarded(options.env, settings);
  const reusedLine = describeReused(settings, resolved.reused);
  if (reusedLine) reporter.emit({ type: 'info', code: 'TAP_SETTINGS_REUSED', message: reusedLine });

  const tags = { ...stackTags(options.env), ...settingsTags(settings) };
  const print = fingerprint({ env: options.env, settings, variables: options.variables ?? {} });
  let assetCounts = { uploaded: 0, skipped: 0 };
  const finish = (outcome: DeployResult['outcome'], changes: PlannedChange[], state?: StackState) =>
    finishDeploy({ clients, options, stackName, settings, reused: resolved.reused, started }, { outcome, changes, assets: assetCounts }, state);

  // The stack was deployed from these very inputs (its fingerprint output) with these settings (its tags):
  // nothing to synthesize, upload or change.
  if (existing && isSettled(existing.status) && existing.outputs[FINGERPRINT_OUTPUT] === print.digest && sameJson(existing.tags, tags)) {
    reporter.emit({ type: 'info', code: 'TAP_DEPLOY_UNCHANGED', message: 'No changes: the deployed stack was built from the same sources, dependencies and settings.' });
    return finish('no-changes', [], existing);
  }

  const { signal } = options;
  const unchanged = 'nothing was changed on AWS';
  const stopIfAsked = (state: string) => {
    if (signal?.aborted) throw interrupted(state);
  };
  const synth = await synthesizeOnce({ outDir: options.outDir, fingerprint: print.digest }, () =>
    step(reporter, 'TAP_SYNTH', `Synthesizing ${stackName}`, () =>
      synthesizeOffThread(
        { envName: options.env, outDir: options.outDir, fingerprint: print.digest, ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}) },
        signal,
      ),
    ),
  ).catch((error: unknown) => {
    throw error instanceof SynthesisAborted ? interrupted(`stopped while synthesizing; ${unchanged}.`) : error;
  });
  if (synth.reused) reporter.emit({ type: 'info', code: 'TAP_SYNTH_REUSED', message: `Reusing the synthesized ${stackName} in ${options.outDir}: nothing that shapes it changed.` });
  stopIfAsked(`stopped after synthesis; ${unchanged}.`);
  const env = await attempt('checking the account', () => environmentOf(clients));
  const s3 = await clients.s3();
  const bucket = assetBucketName(env.account, env.region);
  // A TLS-only policy would deny tap's own requests to a plain-http endpoint that enforces policies.
  const tlsOnly = !target.endpoint?.startsWith('http://');
  await attempt(`preparing the asset bucket ${bucket}`, () => ensureAssetBucket(s3, bucket, env.region, reporter, { tlsOnly }));
  const assets = await attempt('uploading assets', () => publishAssets(synth.assetManifestFile, env, s3, reporter));
  assetCounts = { uploaded: assets.uploaded.length, skipped: assets.skipped.length };
  stopIfAsked(`stopped after uploading the assets (kept for the next deploy); the stack was not changed.`);

  // A CREATE change set that was never executed (an earlier deploy stopped at the question) leaves an
  // empty stack in REVIEW_IN_PROGRESS; CloudFormation takes another CREATE change set for it.
  if (existing?.status === 'REVIEW_IN_PROGRESS') existing = undefined;
  if (existing && isInProgress(existing.status)) {
    throw new UserError(
      `${stackName} is busy (${existing.status}): another operation is running on it. Wait for it to finish ` +
        '(its events are in the CloudFormation console, or run tap deploy again in a minute).',
    );
  }
  if (existing && needsRecreate(existing.status)) {
    reporter.emit({ type: 'warn', code: 'TAP_DEPLOY_RECREATE', message: `${stackName} is in ${existing.status} after a failed first deploy: deleting it to create it again` });
    await attempt('deleting the failed stack', () => deleteAndWait(clients, existing!.id, stackName, reporter));
    existing = undefined;
  }

  const template = synth.template;
  if (existing) {
    const deployed = await attempt('reading the deployed template', () => deployedTemplate(cfn, stackName));
    if (sameJson(withoutFingerprint(deployed), withoutFingerprint(template)) && sameJson(existing.tags, tags)) {
      // Said once, by the result ("up to date: no changes").
      return finish('no-changes', []);
    }
    if (options.hotswap && !sameJson(existing.tags, tags)) {
      const what = resolved.changed.length ? `the settings changed (${resolved.changed.join(', ')})` : "the stack's tags changed";
      reporter.emit({ type: 'info', code: 'TAP_DEPLOY_HOTSWAP_FALLBACK', message: `Not only code: ${what}, so this is a full deploy instead of a hotswap.` });
    } else if (options.hotswap) {
      const code = codeOnlyChanges(withoutFingerprint(deployed), withoutFingerprint(template));
      if (code) {
        const changes = code.map((c): PlannedChange => ({ action: 'Modify', logicalId: c.logicalId, type: 'AWS::Lambda::Function', replacement: 'False' }));
        await guardProtected({
          env: options.env,
          guarded,
          yes: options.yes,
          doing: 'this hotswap replaces its function code',
          confirm: (question) => options.confirm(question, changes),
        });
        await attempt('hotswapping function code', () => hotswapCode(clients, stackName, bucket, code, reporter));
        reporter.emit({
          type: 'warn', code: 'TAP_DEPLOY_HOTSWAPPED',
          message: 'Hotswapped: the function code was updated directly, so the stack now drifts from its template. Run tap deploy without --hotswap to bring them back together.',
        });
        return finish('hotswapped', changes);
      }
      reporter.emit({ type: 'info', code: 'TAP_DEPLOY_HOTSWAP_FALLBACK', message: 'More than function code changed: doing a full deploy instead of a hotswap.' });
    }
  }

  const changeSet = await attempt('creating the change set', async () => {
    const templateBody = JSON.stringify(template);
    const templateSource = statSync(synth.templateFile).size > (options.inlineTemplateLimit ?? INLINE_TEMPLATE_LIMIT)
      ? { url: templateUrl(clients, env, synth) }
      : { body: templateBody };
    return step(reporter, 'TAP_DEPLOY_CHANGE_SET', 'Creating a change set', () =>
      createChangeSet(cfn, { stackName, type: existing ? 'UPDATE' : 'CREATE', template: templateSource, tags }),
    );
  });
  if (signal?.aborted && !changeSet.empty) {
    // The consent path's clean-up: the change set goes, and with it a new stack's REVIEW_IN_PROGRESS shell.
    await attempt('deleting the change set', () => deleteChangeSet(clients, stackName, changeSet.id));
    throw interrupted(`stopped before the change set ran: it was deleted${existing ? '' : ' (and the empty new stack with it)'}; the stack was not changed.`);
  }
  stopIfAsked(`stopped after CloudFormation found nothing to change; ${unchanged}.`);
  if (changeSet.empty) {
    return finish('no-changes', []);
  }

  const risky = destructiveChanges(changeSet.changes);
  if (!options.yes && (guarded || risky.length)) {
    const why = risky.length
      ? `This deploy replaces or removes data: ${risky.map((c) => `${c.logicalId} (${c.type}, ${c.action})`).join(', ')}.`
      : `This deploys to ${options.env}.`;
    let accepted = false;
    try {
      accepted = await options.confirm(`${why} Continue?`, changeSet.changes);
    } finally {
      // Refused, or no way to ask: leave nothing behind (a CREATE change set leaves a stack too).
      if (!accepted) await attempt('deleting the change set', () => deleteChangeSet(clients, stackName, changeSet.id));
    }
    if (!accepted) throw new Declined('Deploy cancelled: nothing was changed.');
  }

  const before = await attempt('reading the stack events', () => latestEventId(cfn, stackName));
  await attempt('executing the change set', async () => {
    const { ExecuteChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.id, StackName: stackName }));
  });
  const followed = await attempt('following the deploy', () =>
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
  return finish(existing ? 'updated' : 'created', changeSet.changes);
}

/** The work's result, or 'aborted' as soon as the signal fires (the work itself goes on unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return work;
  return Promise.race([work, new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }))]);
}

interface DeployContext {
  readonly clients: Clients;
  readonly options: DeployOptions;
  readonly stackName: string;
  readonly settings: DeploySettings;
  readonly reused: DeployResult['settings']['reused'];
  readonly started: number;
}

/** The result, after saving the outputs to `.tap/<env>.json`; `state` is the stack if it was just read. */
async function finishDeploy(
  context: DeployContext,
  result: Pick<DeployResult, 'outcome' | 'changes' | 'assets'>,
  state?: StackState,
): Promise<DeployResult> {
  const { clients, options, stackName, settings } = context;
  const { target } = clients;
  const now = state ?? (await describeOrExplain(clients, stackName));
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
    ...result,
    outputs,
    outputsFile,
    durationMs: Math.round(performance.now() - context.started),
    settings: { ...settings, reused: context.reused },
  };
}

async function describeOrExplain(clients: Clients, stackName: string): Promise<StackState | undefined> {
  return explained(clients.target, 'reading the outputs', async () => describeStack(await clients.cloudformation(), stackName));
}

/** A stack whose last operation finished and left it usable (its outputs are those of its template). */
function isSettled(status: string): boolean {
  return !isInProgress(status) && !needsRecreate(status) && !status.includes('FAILED') && status !== 'REVIEW_IN_PROGRESS';
}

async function environmentOf(clients: Clients): Promise<Environment> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
  const partition = identity.Arn?.split(':')[1] ?? 'aws';
  return { account: identity.Account ?? '', region: clients.target.region, partition };
}

function templateUrl(clients: Clients, env: Environment, synth: SynthOutput): string {
  const manifest = JSON.parse(readFileSync(`${synth.assemblyDir}/manifest.json`, 'utf8'));
  const s3Url: string = manifest.artifacts[synth.stackName].properties.stackTemplateAssetObjectUrl;
  const [bucket, ...key] = fillPlaceholders(s3Url.replace(/^s3:\/\//, ''), env).split('/');
  const base = clients.target.endpoint ?? `https://s3.${env.region}.amazonaws.com`;
  return `${base}/${bucket}/${key.join('/')}`;
}

async function hotswapCode(clients: Clients, stackName: string, bucket: string, changes: ReturnType<typeof codeOnlyChanges> & object, reporter: Reporter): Promise<void> {
  const { DescribeStackResourceCommand } = await import('@aws-sdk/client-cloudformation');
  const { UpdateFunctionCodeCommand, waitUntilFunctionUpdatedV2 } = await import('@aws-sdk/client-lambda');
  const cfn = await clients.cloudformation();
  const lambda = await clients.lambda();
  for (const change of changes) {
    const { StackResourceDetail } = await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: change.logicalId }));
    const FunctionName = StackResourceDetail?.PhysicalResourceId;
    if (!FunctionName) continue;
    await step(reporter, 'TAP_DEPLOY_HOTSWAP_FUNCTION', `Updating the code of ${FunctionName}`, async () => {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName, S3Bucket: bucket, S3Key: change.s3Key }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300, minDelay: 1 }, { FunctionName });
    });
  }
}

async function deleteChangeSet(clients: Clients, stackName: string, id: string): Promise<void> {
  const { DeleteChangeSetCommand, DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudformation();
  await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: id }));
  // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack behind; it goes too.
  const state = await describeStack(cfn, stackName);
  if (state?.status === 'REVIEW_IN_PROGRESS') await cfn.send(new DeleteStackCommand({ StackName: stackName }));
}
