import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { stackName as stackNameOf } from '../infra/environment.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { fingerprint } from './fingerprint.js';
import { step, type Reporter } from './reporter.js';
import { type DeploySettings, describeReused, rememberedSettings, resolveSettings } from './settings.js';
import { deployedTemplate, describeStack } from './stack-state.js';
import { synthesizeOnce, withoutFingerprint } from './synth-cache.js';

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  /** cloudformation-diff's impact: WILL_CREATE, WILL_UPDATE, WILL_REPLACE, MAY_REPLACE, WILL_DESTROY, … */
  readonly impact: string;
}

export interface DiffResult {
  readonly stackName: string;
  readonly deployed: boolean;
  readonly hasChanges: boolean;
  readonly resources: ResourceChange[];
  /** The settings remembered on the stack, used for the synthesis as a deploy would. */
  readonly settings: DeploySettings;
  /** The full difference, for rendering (not JSON). */
  readonly diff: TemplateDiff;
}

/** What a deploy would change: the synthesized template against the deployed one. */
export async function diff(clients: Clients, options: { env: string; outDir: string; variables?: Record<string, string | undefined> }, reporter: Reporter): Promise<DiffResult> {
  const stackName = stackNameOf(options.env);
  const cfn = await clients.cloudformation();
  let current: Record<string, unknown> = {};
  let deployed = false;
  let settings: DeploySettings = {};
  await explained(clients.target, 'reading the deployed stack', async () => {
    const state = await describeStack(cfn, stackName);
    // A plain deploy uses what the stack remembers (an --alarm-email given once), so the diff does too.
    const resolved = resolveSettings(rememberedSettings(state?.tags ?? {}), {});
    settings = resolved.settings;
    const reused = describeReused(settings, resolved.reused);
    if (reused) reporter.emit({ type: 'info', code: 'TAP_SETTINGS_REUSED', message: reused });
    if (state && state.status !== 'REVIEW_IN_PROGRESS') {
      current = (await deployedTemplate(cfn, stackName)) as Record<string, unknown>;
      deployed = true;
    }
  });
  // The same synthesis a deploy does (and reuses): same fingerprint, same output folder.
  const print = fingerprint({ env: options.env, settings, variables: options.variables ?? {} });
  const synth = await synthesizeOnce({ outDir: options.outDir, fingerprint: print.digest }, () =>
    step(reporter, 'TAP_SYNTH', `Synthesizing ${stackName}`, async () => {
      const { synthesize } = await import('../infra/app.js');
      return synthesize({ envName: options.env, outDir: options.outDir, fingerprint: print.digest, ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}) });
    }),
  );
  if (synth.reused) reporter.emit({ type: 'info', code: 'TAP_SYNTH_REUSED', message: `Reusing the synthesized ${stackName} in ${options.outDir}: nothing that shapes it changed.` });
  const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
  // The fingerprint output says where a template came from, not what it deploys.
  const templateDiff = fullDiff(withoutFingerprint(current) as Record<string, unknown>, withoutFingerprint(synth.template) as Record<string, unknown>);
  const resources: ResourceChange[] = [];
  templateDiff.resources.forEachDifference((logicalId, change) => {
    resources.push({ logicalId, type: change.newResourceType ?? change.oldResourceType ?? '?', impact: change.changeImpact });
  });
  return { stackName, deployed, hasChanges: !templateDiff.isEmpty, resources, settings, diff: templateDiff };
}
