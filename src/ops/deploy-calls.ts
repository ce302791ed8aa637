/** The AWS calls of a deploy's steps that are more than one request (deploy-steps.ts). */
import { readFileSync } from 'node:fs';
import { fillPlaceholders, type Environment } from './assets.js';
import type { Clients } from './clients.js';
import type { codeOnlyChanges } from './hotswap.js';
import { step, type Reporter } from './reporter.js';
import { describeStack } from './stack-state.js';
import type { SynthOutput } from './synth-cache.js';

/** The account and partition of the credentials, for the asset bucket's name and the template's placeholders. */
export async function environmentOf(clients: Clients): Promise<Environment> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
  const partition = identity.Arn?.split(':')[1] ?? 'aws';
  return { account: identity.Account ?? '', region: clients.target.region, partition };
}

/** Where the template asset was uploaded, as a TemplateURL (for templates over the inline limit). */
export function templateUrl(clients: Clients, env: Environment, synth: SynthOutput): string {
  const manifest = JSON.parse(readFileSync(`${synth.assemblyDir}/manifest.json`, 'utf8'));
  const s3Url: string = manifest.artifacts[synth.stackName].properties.stackTemplateAssetObjectUrl;
  const [bucket, ...key] = fillPlaceholders(s3Url.replace(/^s3:\/\//, ''), env).split('/');
  const base = clients.target.endpoint ?? `https://s3.${env.region}.amazonaws.com`;
  return `${base}/${bucket}/${key.join('/')}`;
}

/** Points each changed function at its new code object, waiting until Lambda has applied it. */
export async function hotswapCode(clients: Clients, stackName: string, bucket: string, changes: ReturnType<typeof codeOnlyChanges> & object, reporter: Reporter): Promise<void> {
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

/** Deletes an unexecuted change set (and the empty stack a CREATE one leaves). */
export async function deleteChangeSet(clients: Clients, stackName: string, id: string): Promise<void> {
  const { DeleteChangeSetCommand, DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudformation();
  await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: id }));
  // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack behind; it goes too.
  const state = await describeStack(cfn, stackName);
  if (state?.status === 'REVIEW_IN_PROGRESS') await cfn.send(new DeleteStackCommand({ StackName: stackName }));
}
