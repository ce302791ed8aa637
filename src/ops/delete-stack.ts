/**
 * Deleting a stack and explaining a failed stack operation: shared by deploy (a failed first create is
 * deleted before creating again) and destroy. Its own module so that destroy loads neither aws-cdk-lib
 * nor esbuild (which deploy's synthesis needs).
 */
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import { followStack, latestEventId, type FailedResource } from './follow.js';
import type { Reporter } from './reporter.js';

/** Deletes a stack and follows it to the end; `resources` (when known) is the total its progress counts to. */
export async function deleteAndWait(clients: Clients, id: string, stackName: string, reporter: Reporter, resources = 0): Promise<void> {
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudformation();
  const before = await latestEventId(cfn, id);
  await cfn.send(new DeleteStackCommand({ StackName: id }));
  const result = await followStack(cfn, { name: stackName, id }, before, resources, reporter);
  if (!result.ok) throw new UserError(failureMessage(stackName, result.status, result.failures), 1);
}

export function failureMessage(stackName: string, status: string, failures: FailedResource[]): string {
  const outcome: Record<string, string> = {
    ROLLBACK_COMPLETE: 'The first deploy was rolled back: nothing of it remains. The next tap deploy starts over.',
    UPDATE_ROLLBACK_COMPLETE: 'The update was rolled back: the previous version is in place and working.',
    UPDATE_ROLLBACK_FAILED: 'The rollback failed too: the stack needs attention (see its events).',
    ROLLBACK_FAILED: 'The rollback failed: delete the stack (tap destroy) and deploy again.',
    DELETE_FAILED: 'Some resources could not be deleted; they are listed above.',
    STILL_IN_PROGRESS: 'CloudFormation is still working on it after a long wait: see its events in the console, and run the command again later to see where it ended.',
  };
  const causes = failures
    .filter((f) => !/cancelled|Resource creation cancelled|Resource update cancelled/i.test(f.reason))
    .map((f) => `  - ${f.logicalId} (${f.type}): ${f.reason}`);
  return [`Deploying ${stackName} failed (${status}).`, ...(causes.length ? causes : failures.map((f) => `  - ${f.logicalId}: ${f.reason}`)), outcome[status] ?? ''].filter(Boolean).join('\n');
}
