/**
 * Items per second through a distributed Map on the local AWS (in-process server, real SDK
 * clients): a JSONL object in the local S3, one child per item calling a trivial Lambda, at
 * MaxConcurrency 1 and 8 side by side; for reference the same items with a Pass-state child (the
 * map run's own overhead) and batched 100 items per Lambda child. Medians of N runs each.
 *   npx tsx bench/sfn-map.ts [--items 1000] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { strToU8, zipSync } from 'fflate';
import { LocalAws } from '../src/local/server.js';
import { ALL_SERVICES } from '../src/local/services/index.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { items: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } });
const items = Number(values.items);
const runs = Number(values.runs);
// The runtime cache the tests fill (a fresh data dir would download Node for the first invocation).
process.env.TAP_RUNTIMES_DIR ||= resolve('node_modules/.cache/tap-runtimes');
const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-sfn-map-'));
const aws = await new LocalAws({ dataDir, port: 0, services: ALL_SERVICES }).start();
const config = { endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const sfn = new SFNClient(config);
const role = 'arn:aws:iam::000000000000:role/bench';

const lambdaTask = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'trivial', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true };
function machine(name: string, processor: object, extra: object): Promise<string> {
  const definition = {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'bench', Key: 'items.jsonl' } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Work', States: { Work: processor } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'bench', Prefix: 'out' } },
        End: true,
        ...extra,
      },
    },
  };
  return sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: role })).then((o) => o.stateMachineArn!);
}

/** The first failed child's error, from the ResultWriter's FAILED file. */
async function firstFailure(): Promise<string> {
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'bench', Prefix: 'out/' }));
  const key = listed.Contents?.map((o) => o.Key!).find((k) => k.endsWith('FAILED_0.json'));
  if (!key) return 'none';
  const failed = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: key }))).Body!.transformToString());
  return `${failed[0].Error}: ${failed[0].Cause}`.slice(0, 500);
}

async function itemsPerSecond(stateMachineArn: string): Promise<number> {
  const started = performance.now();
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
  for (;;) {
    const { status, cause } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'SUCCEEDED') break;
    if (status !== 'RUNNING') throw new Error(`${status}: ${cause} (first failed child: ${await firstFailure()})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return items / ((performance.now() - started) / 1000);
}

try {
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'items.jsonl', Body: Array.from({ length: items }, (_, i) => JSON.stringify({ id: i, name: `item-${i}` })).join('\n') }));
  await new LambdaClient(config).send(new CreateFunctionCommand({ FunctionName: 'trivial', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Timeout: 30, Code: { ZipFile: zipSync({ 'index.mjs': strToU8('export const handler = async (e) => ({ ok: true, id: e.id });') }) } }));
  const cases: Array<[string, Promise<string>]> = [
    ['Lambda child per item, MaxConcurrency 1', machine('c1', lambdaTask, { MaxConcurrency: 1 })],
    ['Lambda child per item, MaxConcurrency 8', machine('c8', lambdaTask, { MaxConcurrency: 8 })],
    ['Pass child per item, MaxConcurrency 8', machine('p8', { Type: 'Pass', End: true }, { MaxConcurrency: 8 })],
    ['Lambda child per 100 items, MaxConcurrency 8', machine('b8', lambdaTask, { MaxConcurrency: 8, ItemBatcher: { MaxItemsPerBatch: 100 } })],
  ];
  await itemsPerSecond(await cases[1]![1]); // warm the Lambda workers
  console.log(`${items} items a run, ${runs} runs each; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [name, arn] of cases) {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await itemsPerSecond(await arn));
    console.log(`${name.padEnd(46)} median ${median(samples).toFixed(0).padStart(7)} items/s  (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)})`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await aws.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
