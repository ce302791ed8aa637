/**
 * The tap stack on the local CloudFormation, measured as issue 18 measured it: a client calls
 * CreateStack (or DeleteStack) and polls DescribeStacks every 20 ms until the stack is CREATE_COMPLETE
 * (or gone). The next call follows the final status at once, so a stack that says CREATE_COMPLETE
 * but still refuses DeleteStack fails the bench. Also: a no-op update (a change set with the same
 * template until CloudFormation reports it has no changes, what `tap deploy` does when nothing changed).
 *
 * The local AWS runs in a process of its own (src/local/main.ts, as `tap local start` runs it), so the
 * client's work (this process: synth, SDK) takes nothing from it; its CPU time per operation is read
 * from /proc, a figure that stays meaningful when the shared machine is busy.
 *
 * Issue 18's figures (medians of 3, same template, same polling): this emulator before the fix,
 * create 151 ms and delete 137 ms; another open-source (Python) emulator, create 63 ms and delete 12 ms.
 *   npx tsx bench/cloudformation.ts [--runs 5] [--poll 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { synthesize } from '../src/infra/app.js';
import { publishAssets } from '../test/helpers/cloudformation.js';
import { median, summarize } from './stats.js';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) || fallback : fallback);
const runs = arg('--runs', 5);
const pollMs = arg('--poll', 20);
/** Issue 18's figures: [ours before the fix, the other emulator]. */
const BASELINE = { create: [151, 63], delete: [137, 12] } as const;

const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-cfn-'));
const port = 20_000 + Math.floor(Math.random() * 40_000);
const server = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/local/main.ts'), '--port', String(port), '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const endpoint = await new Promise<string>((resolve, reject) => {
  server.once('exit', (code) => reject(new Error(`the local AWS exited (${code}) before listening`)));
  server.stdout!.on('data', (chunk: Buffer) => {
    const found = /listening on (\S+)/.exec(chunk.toString());
    if (found) resolve(found[1]!);
  });
});
const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const cfn = new CloudFormationClient(config);

const synth = await synthesize({ envName: 'dev', outDir: mkdtempSync(join(tmpdir(), 'tap-bench-cfn-synth-')) });
await publishAssets(new S3Client({ ...config, forcePathStyle: true }), synth.assetManifestFile, { account: '000000000000', region: 'us-east-1' });
const TemplateBody = JSON.stringify(synth.template);
const StackName = synth.stackName;

/** Polls DescribeStacks by name every `pollMs` until `done` says so; the status `undefined` is "gone". */
async function pollUntil(done: (status: string | undefined) => boolean): Promise<void> {
  for (;;) {
    let status: string | undefined;
    try {
      status = (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0]?.StackStatus;
    } catch (error) {
      if (!/does not exist/.test((error as Error).message)) throw error;
    }
    if (done(status)) return;
    if (status !== undefined && !status.endsWith('_IN_PROGRESS')) throw new Error(`${StackName} ended ${status}`);
    await sleep(pollMs);
  }
}

/** The server's CPU time so far in ms (Linux /proc; user + system, in clock ticks of 10 ms). */
function serverCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
const cpu = { create: [] as number[], delete: [] as number[] };

async function timed(work: () => Promise<void>, what?: keyof typeof cpu): Promise<number> {
  const started = performance.now();
  const before = serverCpuMs();
  await work();
  if (what) cpu[what].push(serverCpuMs() - before);
  return performance.now() - started;
}

let refusals = 0;
const samples = { create: [] as number[], noop: [] as number[], delete: [] as number[] };
for (let i = 0; i < runs; i++) {
  samples.create.push(await timed(async () => {
    await cfn.send(new CreateStackCommand({ StackName, TemplateBody, Capabilities: ['CAPABILITY_IAM'] }));
    await pollUntil((s) => s === 'CREATE_COMPLETE');
  }, 'create'));
  samples.noop.push(await timed(async () => {
    const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: `noop-${i}`, TemplateBody, Capabilities: ['CAPABILITY_IAM'] }));
    for (;;) {
      const c = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
      if (c.Status === 'FAILED') break;
      if (c.Status === 'CREATE_COMPLETE') throw new Error('the no-op change set has changes');
      await sleep(pollMs);
    }
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: Id }));
  }));
  // DeleteStack right after the status said the last operation was over: AWS accepts it. A refusal
  // is counted and the call retried after a poll interval, as a patient script would.
  samples.delete.push(await timed(async () => {
    for (;;) {
      try {
        await cfn.send(new DeleteStackCommand({ StackName }));
        break;
      } catch (error) {
        if (!/can ?not be deleted/.test((error as Error).message)) throw error;
        refusals++;
        await sleep(pollMs);
      }
    }
    await pollUntil((s) => s === undefined);
  }, 'delete'));
}

const line = (what: 'create' | 'delete') => {
  const m = median(samples[what]);
  const [before, other] = BASELINE[what];
  // A ratio above 1 is faster; below 1, slower (said in words so a reader need not work it out).
  const vs = (base: number) => (m <= base ? `${(base / m).toFixed(2)}x faster than` : `${(m / base).toFixed(2)}x slower than`);
  return `${what} ${m.toFixed(0)} ms: ${vs(before)} the issue's baseline (${before} ms), ${vs(other)} the other emulator (${other} ms)`;
};
console.log(`tap stack (${Object.keys((synth.template as { Resources: object }).Resources).length} resources) on the local CloudFormation, ${runs} runs, DescribeStacks every ${pollMs} ms`);
console.log(summarize('create (→ CREATE_COMPLETE)', samples.create));
console.log(summarize('no-op update (change set: no changes)', samples.noop));
console.log(summarize('delete (→ gone)', samples.delete));
console.log(summarize('create, CPU time of the server', cpu.create));
console.log(summarize('delete, CPU time of the server', cpu.delete));
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (wall times stretch with it)`);
console.log(`DeleteStack refused right after CREATE_COMPLETE: ${refusals} of ${runs} times`);
console.log(line('create'));
console.log(line('delete'));
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
