/**
 * The tap stack on the local CloudFormation: create (CreateStack until CREATE_COMPLETE), no-op update
 * (a change set with the same template until CloudFormation reports it has no changes, which is what
 * `tap deploy` does when nothing changed) and delete (DeleteStack until DELETE_COMPLETE). Each is
 * measured from the first API call until the SDK waiter returns, polling every 50 ms.
 *   npx tsx bench/cloudformation.ts [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { synthesize } from '../src/infra/app.js';
import { LocalAws } from '../src/local/server.js';
import { ALL_SERVICES } from '../src/local/services/index.js';
import { publishAssets } from '../test/helpers/cloudformation.js';
import { median, summarize } from './stats.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const waiter = { minDelay: 0.05, maxDelay: 0.05, maxWaitTime: 300 };
const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-cfn-'));
const aws = await new LocalAws({ dataDir, port: 0, services: ALL_SERVICES }).start();
const config = { endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const cfn = new CloudFormationClient(config);

const synth = await synthesize({ envName: 'dev', outDir: mkdtempSync(join(tmpdir(), 'tap-bench-cfn-synth-')) });
await publishAssets(new S3Client({ ...config, forcePathStyle: true }), synth.assetManifestFile, { account: '000000000000', region: 'us-east-1' });
const TemplateBody = JSON.stringify(synth.template);
const StackName = synth.stackName;

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const samples = { create: [] as number[], noop: [] as number[], delete: [] as number[] };
for (let i = 0; i < runs; i++) {
  let stackId = '';
  samples.create.push(await timed(async () => {
    stackId = (await cfn.send(new CreateStackCommand({ StackName, TemplateBody, Capabilities: ['CAPABILITY_IAM'] }))).StackId!;
    await waitUntilStackCreateComplete({ client: cfn, ...waiter }, { StackName: stackId });
  }));
  samples.noop.push(await timed(async () => {
    const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: `noop-${i}`, TemplateBody, Capabilities: ['CAPABILITY_IAM'] }));
    for (;;) {
      const c = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
      if (c.Status === 'FAILED') break;
      if (c.Status === 'CREATE_COMPLETE') throw new Error('the no-op change set has changes');
      await new Promise((r) => setTimeout(r, 50));
    }
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: Id }));
  }));
  samples.delete.push(await timed(async () => {
    await cfn.send(new DeleteStackCommand({ StackName }));
    await waitUntilStackDeleteComplete({ client: cfn, ...waiter }, { StackName: stackId });
  }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
  if (Stacks?.[0]?.StackStatus !== 'DELETE_COMPLETE') throw new Error(`run ${i}: ${Stacks?.[0]?.StackStatus}`);
}

console.log(`tap stack (${Object.keys((synth.template as { Resources: object }).Resources).length} resources) on the local CloudFormation, ${runs} runs`);
console.log(summarize('create (CREATE_COMPLETE)', samples.create));
console.log(summarize('no-op update (change set: no changes)', samples.noop));
console.log(summarize('delete (DELETE_COMPLETE)', samples.delete));
console.log(`medians: create ${median(samples.create).toFixed(0)} ms, no-op update ${median(samples.noop).toFixed(0)} ms, delete ${median(samples.delete).toFixed(0)} ms`);
await aws.stop();
rmSync(dataDir, { recursive: true, force: true });
