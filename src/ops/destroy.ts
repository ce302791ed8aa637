import type { S3Client } from '@aws-sdk/client-s3';
import { isProtected, stackName as stackNameOf } from '../infra/environment.js';
import { OUTPUT } from '../handlers/contract.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { deployedFile } from './deploy-state.js';
import { deleteAndWait } from './delete-stack.js';
import { Declined, UserError } from './errors.js';
import { step, type Reporter } from './reporter.js';
import { rememberedSettings } from './settings.js';
import { deployedTemplate, describeStack, isInProgress } from './stack-state.js';

export interface DestroyOptions {
  readonly env: string;
  readonly stateDir: string;
  readonly yes: boolean;
  readonly force: boolean;
  /** Asks the user to type the environment name; the CLI refuses without a TTY. */
  confirm(question: string, expected: string): Promise<boolean>;
}

export interface DestroyResult {
  readonly stackName: string;
  readonly existed: boolean;
  readonly objectsDeleted: number;
  /** Resources CloudFormation leaves behind (DeletionPolicy Retain), with their physical ids. */
  readonly retained: Array<{ logicalId: string; type: string; physicalId: string }>;
  readonly durationMs: number;
}

/** Empties the upload bucket (every version), deletes the stack, and follows it to the end. */
export async function destroy(clients: Clients, options: DestroyOptions, reporter: Reporter): Promise<DestroyResult> {
  const started = performance.now();
  const stackName = stackNameOf(options.env);
  const { target } = clients;
  const refuse = (why: string) =>
    new UserError(`${options.env} is protected${why}. To destroy it anyway, add --force (and --yes where there is no terminal to ask).`);
  if (isProtected(options.env) && !options.force) throw refuse(': its data is retained and its tables refuse deletion');
  return explained(target, `destroying ${stackName}`, async () => {
    const cfn = await clients.cloudformation();
    const state = await describeStack(cfn, stackName);
    if (!state) {
      reporter.emit({ type: 'info', code: 'TAP_DESTROY_ABSENT', message: `${stackName} does not exist: nothing to destroy.` });
      return { stackName, existed: false, objectsDeleted: 0, retained: [], durationMs: Math.round(performance.now() - started) };
    }
    if (rememberedSettings(state.tags).protected && !options.force) throw refuse(' (it was deployed with --protected)');
    if (isInProgress(state.status)) throw new UserError(`${stackName} is busy (${state.status}); wait for it to finish, then run tap destroy again.`);
    if (!options.yes && !(await options.confirm(`This deletes ${stackName} and every file, record and log in it. Type the environment name (${options.env}) to go on:`, options.env))) {
      throw new Declined('Destroy cancelled: nothing was deleted.');
    }

    const template = (await deployedTemplate(cfn, stackName)) as { Resources?: Record<string, { Type: string; DeletionPolicy?: string }> };
    const { paginateListStackResources } = await import('@aws-sdk/client-cloudformation');
    const physical = new Map<string, string>();
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
      for (const r of page.StackResourceSummaries ?? []) physical.set(r.LogicalResourceId!, r.PhysicalResourceId ?? '');
    }
    const retained = Object.entries(template.Resources ?? {})
      .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate')
      .map(([logicalId, r]) => ({ logicalId, type: r.Type, physicalId: physical.get(logicalId) ?? '' }));

    // A bucket with objects cannot be deleted, and the stack has no custom resource to empty it.
    let objectsDeleted = 0;
    const bucket = state.outputs[OUTPUT.bucket];
    if (bucket && !retained.some((r) => r.physicalId === bucket)) {
      objectsDeleted = await step(reporter, 'TAP_DESTROY_EMPTY_BUCKET', `Emptying ${bucket} (every version)`, async () => emptyBucket(await clients.s3(), bucket, reporter));
    }
    await step(reporter, 'TAP_DESTROY_DELETE_STACK', `Deleting ${stackName}`, () => deleteAndWait(clients, state.id, stackName, reporter, physical.size));
    const { rmSync } = await import('node:fs');
    rmSync(deployedFile(options.stateDir, options.env), { force: true });
    return { stackName, existed: true, objectsDeleted, retained, durationMs: Math.round(performance.now() - started) };
  });
}

/** Deletes every object version and delete marker, 1,000 at a time. Returns how many. */
export async function emptyBucket(s3: S3Client, bucket: string, reporter: Reporter): Promise<number> {
  const { DeleteObjectsCommand, ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  let deleted = 0;
  for (;;) {
    // Always list from the start: what was deleted is gone, so the next page is the first page.
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    if (!objects.length) return deleted;
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    if (result.Errors?.length) {
      const first = result.Errors[0]!;
      throw new UserError(`Could not empty ${bucket}: ${first.Key} ${first.Code} ${first.Message}. Nothing else was deleted; run tap destroy again.`, 1);
    }
    deleted += objects.length;
    reporter.emit({ type: 'progress', code: 'TAP_DESTROY_OBJECTS_DELETED', message: `deleted ${deleted} object versions`, done: deleted, total: deleted });
  }
}
