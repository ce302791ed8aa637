/**
 * Step Functions and Secrets Manager on the local AWS, through the real SDK clients against an
 * in-process server (fresh data dir, persistence on): CreateStateMachine (dominated by asl-validator
 * compiling its schemas; a repeated definition hits the verdict cache), start-to-SUCCEEDED latency of
 * a one-Pass machine and of a one-Lambda-task machine (warm worker; polled every 2 ms), and
 * GetSecretValue. Medians of N samples each.
 *   npx tsx bench/stepfunctions.ts [--samples 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { strToU8, zipSync } from 'fflate';
import { LocalAws } from '../src/local/server.js';
import { ALL_SERVICES } from '../src/local/services/index.js';
import { summarize } from './stats.js';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '20' } } });
const samples = Number(values.samples);
const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-sfn-'));
const aws = await new LocalAws({ dataDir, port: 0, services: ALL_SERVICES }).start();
const config = { endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const sfn = new SFNClient(config);
const role = 'arn:aws:iam::000000000000:role/bench';

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function series(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await time(() => fn(i)));
  return out;
}

async function runToEnd(stateMachineArn: string, input: object): Promise<void> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  for (;;) {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

try {
  const machine = (i: number, extra = '') => JSON.stringify({ Comment: `bench ${i}${extra}`, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
  console.log(summarize('CreateStateMachine (new definition)', await series(Math.min(samples, 10), (i) => sfn.send(new CreateStateMachineCommand({ name: `m-${i}`, definition: machine(i), roleArn: role })))));
  console.log(summarize('CreateStateMachine (cached verdict)', await series(Math.min(samples, 10), (i) => sfn.send(new CreateStateMachineCommand({ name: `c-${i}`, definition: machine(0), roleArn: role })))));

  const pass = (await sfn.send(new CreateStateMachineCommand({ name: 'pass', definition: machine(0), roleArn: role }))).stateMachineArn!;
  await runToEnd(pass, {});
  console.log(summarize('execution: one Pass state', await series(samples, () => runToEnd(pass, { n: 1 }))));

  const lambda = new LambdaClient(config);
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zipSync({ 'index.mjs': strToU8('export const handler = async (e) => e;') }) } }));
  const task = (await sfn.send(new CreateStateMachineCommand({
    name: 'task',
    definition: JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'echo', 'Payload.$': '$' }, End: true } } }),
    roleArn: role,
  }))).stateMachineArn!;
  await runToEnd(task, {});
  console.log(summarize('execution: one lambda:invoke Task', await series(samples, () => runToEnd(task, { n: 1 }))));

  const sm = new SecretsManagerClient(config);
  await sm.send(new CreateSecretCommand({ Name: 'bench/secret', SecretString: '{"signingKey":"x"}' }));
  console.log(summarize('GetSecretValue', await series(samples * 5, () => sm.send(new GetSecretValueCommand({ SecretId: 'bench/secret' })))));
} finally {
  await aws.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
