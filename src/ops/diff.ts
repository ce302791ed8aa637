import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { synthesize } from '../infra/app.js';
import { stackName as stackNameOf } from '../infra/environment.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { step, type Reporter } from './reporter.js';
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
  /** The full difference, for rendering (not JSON). */
  readonly diff: TemplateDiff;
}

/** What a deploy would change: the synthesized template against the deployed one. */
export async function diff(clients: Clients, options: { env: string; outDir: string }, reporter: Reporter): Promise<DiffResult> {
  const stackName = stackNameOf(options.env);
  reporter.emit({ type: 'info', message: `Target: ${clients.target.description}` });
  const synth = await step(reporter, `Synthesizing ${stackName}`, () => synthesize({ envName: options.env, outDir: options.outDir }));
  const cfn = await clients.cloudformation();
  let current: Record<string, unknown> = {};
  let deployed = false;
  try {
    const state = await describeStack(cfn, stackName);
    if (state && state.status !== 'REVIEW_IN_PROGRESS') {
      current = (await deployedTemplate(cfn, stackName)) as Record<string, unknown>;
      deployed = true;
    }
  } catch (error) {
    throw explainAwsError(error, clients.target, 'reading the deployed stack');
  }
  const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
  const templateDiff = fullDiff(current, synth.template);
  const resources: ResourceChange[] = [];
  templateDiff.resources.forEachDifference((logicalId, change) => {
    resources.push({ logicalId, type: change.newResourceType ?? change.oldResourceType ?? '?', impact: change.changeImpact });
  });
  return { stackName, deployed, hasChanges: !templateDiff.isEmpty, resources, diff: templateDiff };
}
