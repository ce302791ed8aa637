/**
 * Where a deployed environment's resources are. The stack's outputs are the truth (DescribeStacks);
 * `.tap/<env>.json`, written by `tap deploy`, is only a cache for when CloudFormation cannot be asked
 * (no permission for it, or an endpoint that does not emulate it) and it was saved for this target.
 */
import { OUTPUT, STATUS_INDEX } from '../handlers/contract.js';
import { stackName as stackNameOf } from '../infra/environment.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { deployedFile, loadDeployed } from './deploy-state.js';
import { AwsError, UserError } from './errors.js';
import type { Reporter } from './reporter.js';
import { isGuarded, rememberedSettings } from './settings.js';
import { describeStack, isInProgress, needsRecreate } from './stack-state.js';
import type { Target } from './target.js';

/** The resources of one deployed environment that upload, status, dlq and logs work on. */
export interface Pipeline {
  readonly env: string;
  readonly stackName: string;
  readonly bucket: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly metadataTable: string;
  readonly statusIndex: string;
  readonly logGroup: string;
  /** The partner API's invoke URL as the stack outputs it (absent on stacks from before the API). */
  readonly apiUrl?: string;
  /** Result delivery (absent on stacks from before it): the state machine and the signing key's secret. */
  readonly deliveryStateMachine?: string;
  readonly webhookSecret?: string;
  /** The shipment events table and the pod DLQ (absent on stacks from before proof-of-delivery photos). */
  readonly eventsTable?: string;
  readonly podDlqUrl?: string;
  /** The photo pipeline's queue, its DLQ's ARN and the pod processor's log group (see lanes.ts). */
  readonly podQueueUrl?: string;
  readonly podQueueArn?: string;
  readonly podDlqArn?: string;
  readonly podLogGroup?: string;
  /** The big-file functions' log groups (absent on stacks from before the big-file path). */
  readonly bigFileLogGroups?: readonly string[];
  /** Where the outputs came from. */
  readonly source: 'stack' | 'file';
  /** Mutating commands ask first (or need --yes): a protected name, or deployed with --protected. */
  readonly guarded: boolean;
}

export interface ResolveOptions {
  readonly env: string;
  readonly stateDir: string;
}

/** Reads the stack's outputs; falls back to the saved file only when CloudFormation cannot answer. */
export async function resolvePipeline(clients: Clients, options: ResolveOptions, reporter: Reporter): Promise<Pipeline> {
  const stackName = stackNameOf(options.env);
  const notDeployed = (extra = '') => new UserError(`${stackName} is not deployed${extra}; run tap deploy --env ${options.env}`);
  let state: Awaited<ReturnType<typeof describeStack>>;
  try {
    state = await explained(clients.target, `reading the outputs of ${stackName}`, async () => describeStack(await clients.cloudformation(), stackName));
  } catch (explainedError) {
    // Wrong credentials or no network: the file would only hide the real problem.
    if (explainedError instanceof UserError || (explainedError instanceof AwsError && explainedError.fixable)) throw explainedError;
    const error = explainedError instanceof AwsError ? explainedError.cause : explainedError;
    const saved = loadDeployed(options.stateDir, options.env);
    if (!saved || !sameTarget(saved, clients.target)) {
      throw new UserError(
        `Cannot find ${stackName}: CloudFormation could not be asked (${(error as Error).name}: ${(error as Error).message}) and ` +
          `${deployedFile(options.stateDir, options.env)} has no outputs saved for ${clients.target.description}. ` +
          `If it is not deployed, run tap deploy --env ${options.env}`,
      );
    }
    reporter.emit({
      type: 'warn', code: 'TAP_PIPELINE_SAVED_OUTPUTS',
      message: `Could not read ${stackName} from CloudFormation (${(error as Error).name}); using the outputs saved in ${deployedFile(options.stateDir, options.env)} at ${saved.deployedAt}.`,
    });
    return pipelineFromOutputs(options.env, saved.outputs, 'file', saved.protected === true);
  }
  if (!state) throw notDeployed();
  if (needsRecreate(state.status)) throw notDeployed(`: its creation failed (${state.status})`);
  if (isInProgress(state.status) && !state.outputs[OUTPUT.bucket]) throw notDeployed(` yet (${state.status})`);
  return pipelineFromOutputs(options.env, state.outputs, 'stack', rememberedSettings(state.tags).protected === true);
}

/** Checks that every output the commands need is there; a stack from an older tap may lack some. */
export function pipelineFromOutputs(env: string, outputs: Record<string, string>, source: Pipeline['source'], markedProtected = false): Pipeline {
  const need = (key: string) => {
    const value = outputs[key];
    if (!value) throw new UserError(`${stackNameOf(env)} has no output ${key}: it was deployed by an older tap. Run tap deploy --env ${env} to update it.`);
    return value;
  };
  return {
    env,
    stackName: stackNameOf(env),
    bucket: need(OUTPUT.bucket),
    queueUrl: need(OUTPUT.queueUrl),
    queueArn: need(OUTPUT.queueArn),
    dlqUrl: need(OUTPUT.dlqUrl),
    dlqArn: need(OUTPUT.dlqArn),
    metadataTable: need(OUTPUT.metadataTable),
    statusIndex: outputs[OUTPUT.statusIndex] || STATUS_INDEX,
    logGroup: need(OUTPUT.logGroup),
    ...(outputs[OUTPUT.apiUrl] && { apiUrl: outputs[OUTPUT.apiUrl] }),
    ...(outputs[OUTPUT.deliveryStateMachine] && { deliveryStateMachine: outputs[OUTPUT.deliveryStateMachine] }),
    ...(outputs[OUTPUT.webhookSecret] && { webhookSecret: outputs[OUTPUT.webhookSecret] }),
    ...(outputs[OUTPUT.eventsTable] && { eventsTable: outputs[OUTPUT.eventsTable] }),
    ...(outputs[OUTPUT.podDlqUrl] && { podDlqUrl: outputs[OUTPUT.podDlqUrl] }),
    ...(outputs[OUTPUT.podQueueUrl] && { podQueueUrl: outputs[OUTPUT.podQueueUrl] }),
    ...(outputs[OUTPUT.podQueueArn] && { podQueueArn: outputs[OUTPUT.podQueueArn] }),
    ...(outputs[OUTPUT.podDlqArn] && { podDlqArn: outputs[OUTPUT.podDlqArn] }),
    ...(outputs[OUTPUT.podLogGroup] && { podLogGroup: outputs[OUTPUT.podLogGroup] }),
    ...(outputs[OUTPUT.bigFileLogGroups] && { bigFileLogGroups: outputs[OUTPUT.bigFileLogGroups]!.split(',').filter(Boolean) }),
    source,
    guarded: isGuarded(env, { protected: markedProtected }),
  };
}

// Outputs saved for the local AWS mean nothing to AWS in some region, and the other way round.
function sameTarget(saved: { target: string; region: string; endpoint?: string }, target: Target): boolean {
  return saved.target === target.kind && saved.region === target.region && (saved.endpoint ?? '') === (target.endpoint ?? '');
}
