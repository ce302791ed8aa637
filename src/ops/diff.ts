import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { synthesize } from '../infra/app.js';
import { stackName as stackNameOf } from '../infra/environment.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { step, type Reporter } from './reporter.js';
import { type DeploySettings, describeReused, rememberedSettings, resolveSettings } from './settings.js';
import { deployedTemplate, describeStack } from './stack-state.js';

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
export async function diff(clients: Clients, options: { env: string; outDir: string }, reporter: Reporter): Promise<DiffResult> {
  const stackName = stackNameOf(options.env);
  reporter.emit({ type: 'info', message: `Target: ${clients.target.description}` });
  const cfn = await clients.cloudformation();
  let current: Record<string, unknown> = {};
  let deployed = false;
  let settings: DeploySettings = {};
  try {
    const state = await describeStack(cfn, stackName);
    // A plain deploy uses what the stack remembers (an --alarm-email given once), so the diff does too.
    const resolved = resolveSettings(rememberedSettings(state?.tags ?? {}), {});
    settings = resolved.settings;
    const reused = describeReused(settings, resolved.reused);
    if (reused) reporter.emit({ type: 'info', message: reused });
    if (state && state.status !== 'REVIEW_IN_PROGRESS') {
      current = (await deployedTemplate(cfn, stackName)) as Record<string, unknown>;
      deployed = true;
    }
  } catch (error) {
    throw explainAwsError(error, clients.target, 'reading the deployed stack');
  }
  const synth = await step(reporter, `Synthesizing ${stackName}`, () =>
    synthesize({ envName: options.env, outDir: options.outDir, ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}) }),
  );
  const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
  const templateDiff = fullDiff(current, synth.template);
  const resources: ResourceChange[] = [];
  templateDiff.resources.forEachDifference((logicalId, change) => {
    resources.push({ logicalId, type: change.newResourceType ?? change.oldResourceType ?? '?', impact: change.changeImpact });
  });
  return { stackName, deployed, hasChanges: !templateDiff.isEmpty, resources, settings, diff: templateDiff };
}
