import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { sleep } from './abort.js';
import { TapError } from './errors.js';

export interface PlannedChange {
  readonly action: string;
  readonly logicalId: string;
  readonly type: string;
  /** `True`, `False` or `Conditional`, for modifications. */
  readonly replacement?: string;
}

export interface ChangeSetRequest {
  readonly stackName: string;
  readonly type: 'CREATE' | 'UPDATE';
  readonly template: { readonly body?: string; readonly url?: string };
  readonly tags: Record<string, string>;
  /** How long CloudFormation may take to work the change set out; CHANGE_SET_MAX_WAIT_MS unless given. */
  readonly maxWaitMs?: number;
}

/** Working out a change set takes seconds; this much means something is stuck. */
export const CHANGE_SET_MAX_WAIT_MS = 10 * 60_000;

export type ChangeSetResult =
  | { readonly empty: true }
  | { readonly empty: false; readonly id: string; readonly changes: PlannedChange[] };

/** AWS words an empty change set's failure like this (and older stacks like the second form). */
const NO_CHANGES = /didn't contain changes|No updates are to be performed/;

/**
 * Creates a change set and waits until CloudFormation has worked it out. An empty one is deleted
 * and reported as `empty`, which is how CloudFormation says "nothing to deploy".
 */
export async function createChangeSet(cfn: CloudFormationClient, request: ChangeSetRequest): Promise<ChangeSetResult> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const name = `tap-${Date.now()}`;
  const { Id } = await cfn.send(
    new sdk.CreateChangeSetCommand({
      StackName: request.stackName,
      ChangeSetName: name,
      ChangeSetType: request.type,
      ...(request.template.url ? { TemplateURL: request.template.url } : { TemplateBody: request.template.body }),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      Description: 'Created by tap deploy',
    }),
  );
  const id = Id ?? name;
  const deadline = performance.now() + (request.maxWaitMs ?? CHANGE_SET_MAX_WAIT_MS);
  for (let delay = 200; ; delay = Math.min(delay * 1.5, 2000)) {
    const described = await cfn.send(new sdk.DescribeChangeSetCommand({ ChangeSetName: id, StackName: request.stackName }));
    if (described.Status === 'CREATE_COMPLETE') return { empty: false, id, changes: await allChanges(cfn, id, request.stackName, described) };
    if (described.Status === 'FAILED') {
      if (NO_CHANGES.test(described.StatusReason ?? '')) {
        await cfn.send(new sdk.DeleteChangeSetCommand({ ChangeSetName: id, StackName: request.stackName }));
        return { empty: true };
      }
      throw new TapError(`CloudFormation could not create the change set: ${described.StatusReason ?? 'no reason given'}`);
    }
    if (performance.now() > deadline) {
      const minutes = Math.round((request.maxWaitMs ?? CHANGE_SET_MAX_WAIT_MS) / 60_000);
      throw new TapError(`CloudFormation had not worked out the change set ${id} after ${minutes} min (${described.Status}). Look at it in the console, delete it, and run tap deploy again.`);
    }
    await sleep(delay);
  }
}

async function allChanges(
  cfn: CloudFormationClient,
  id: string,
  stackName: string,
  first: { Changes?: Array<{ ResourceChange?: Record<string, any> }>; NextToken?: string },
): Promise<PlannedChange[]> {
  const { paginateDescribeChangeSet } = await import('@aws-sdk/client-cloudformation');
  const changes: PlannedChange[] = [];
  // The first page is in hand; the paginator fetches the rest from its token.
  async function* pages() {
    yield first;
    if (first.NextToken) yield* paginateDescribeChangeSet({ client: cfn, startingToken: first.NextToken }, { ChangeSetName: id, StackName: stackName });
  }
  for await (const page of pages()) {
    for (const { ResourceChange: c } of page.Changes ?? []) {
      if (!c) continue;
      changes.push({
        action: c.Action ?? '?',
        logicalId: c.LogicalResourceId ?? '?',
        type: c.ResourceType ?? '?',
        ...(c.Replacement ? { replacement: c.Replacement } : {}),
      });
    }
  }
  return changes;
}

/** Changes that lose data: the upload bucket or a table replaced or removed. */
export function destructiveChanges(changes: PlannedChange[]): PlannedChange[] {
  const dataTypes = new Set(['AWS::S3::Bucket', 'AWS::DynamoDB::Table']);
  return changes.filter(
    (c) => dataTypes.has(c.type) && (c.action === 'Remove' || (c.action === 'Modify' && c.replacement !== 'False' && c.replacement !== undefined)),
  );
}
