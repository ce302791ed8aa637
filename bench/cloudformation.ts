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
 * Issue 18's figures (medians of 3, same polling, the tap stack of then: 19 resources): this emulator
 * before the fix, create 151 ms and delete 137 ms; another open-source (Python) emulator, create 63 ms
 * and delete 12 ms. The goal: at least 2x faster than the first pair. The tap stack has grown since
 * (67 resources), so the bench runs both, alternating in each run so that the machine's load falls on
 * both alike: the stack the issue measured (bench/fixtures/issue18-stack.json) and today's whole stack.
 *
 * The fixture is the template synthesized at b0c1e11 (the last commit before the issue was filed:
 * `git worktree add /tmp/old b0c1e11`, node_modules linked, `synthesize({ envName: 'dev' })`), with
 * one change: the processor's code key, which named that commit's bundle, is assets/issue18-processor.zip,
 * where this bench copies today's processor bundle (same handler, about the same size to unpack).
 * --server <checkout>: the local AWS of another checkout (a worktree of an older commit), to compare
 * old and new servers in the same window of a shared machine.
 *   npx tsx bench/cloudformation.ts [--runs 5] [--poll 20] [--cpu-prof <dir>] [--only issue18|today] [--server <checkout>]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { synthesize } from '../src/infra/app.js';
import installTestRuntimes, { testRuntimesDir } from '../test/helpers/runtimes-setup.js';
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
// --cpu-prof <dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
// The functions' Node.js runtimes come from the tests' shared cache, installed before the clock runs:
// a first-time `npm install` of Node in the background would load the machine during the bench.
await installTestRuntimes();
const serverRoot = process.argv.includes('--server') ? process.argv[process.argv.indexOf('--server') + 1]! : join(import.meta.dirname, '..');
const server = spawn(process.execPath, [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--import', 'tsx', join(serverRoot, 'src/local/main.ts'), '--port', String(port), '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, TAP_RUNTIMES_DIR: testRuntimesDir() },
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

const synthDir = mkdtempSync(join(tmpdir(), 'tap-bench-cfn-synth-'));
const synth = await synthesize({ envName: 'dev', outDir: synthDir });
const s3 = new S3Client({ ...config, forcePathStyle: true });
await publishAssets(s3, synth.assetManifestFile, { account: '000000000000', region: 'us-east-1' });
/** The fixture's processor code: today's processor bundle, copied to the key the fixture names. */
async function publishFixtureCode(): Promise<void> {
  const manifest = JSON.parse(readFileSync(synth.assetManifestFile, 'utf8')) as { files: Record<string, { displayName?: string; destinations: Record<string, { objectKey: string }> }> };
  const processor = Object.values(manifest.files).find((f) => f.displayName === 'Processor/Function/Code');
  if (!processor) throw new Error('the synthesized stack has no Processor/Function/Code asset for the issue-18 fixture');
  const Bucket = 'tap-assets-000000000000-us-east-1';
  const key = Object.values(processor.destinations)[0]!.objectKey;
  await s3.send(new CopyObjectCommand({ Bucket, Key: 'assets/issue18-processor.zip', CopySource: `${Bucket}/${key}` }));
}
await publishFixtureCode();
const StackName = synth.stackName;

interface Template {
  Resources: Record<string, unknown>;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/issue18-stack.json'), 'utf8')) as Template;
const templates = [
  { name: 'tap stack as issue 18 measured it (bench/fixtures/issue18-stack.json)', template: fixture, issue: true },
  { name: "today's tap stack", template: synth.template as unknown as Template, issue: false },
]
  // --only: one of the two (a CPU profile of one stack's operations).
  .filter((t) => !process.argv.includes('--only') || (process.argv[process.argv.indexOf('--only') + 1] === 'issue18') === t.issue)
  .map((t, i) => ({ ...t, body: JSON.stringify(t.template), key: `bench/template-${i}.json`, resources: Object.keys(t.template.Resources).length }));
// CloudFormation takes 51,200 bytes inline; today's stack is larger and goes by TemplateURL, as tap deploy sends it.
const INLINE_LIMIT = 51_200;
const ASSET_BUCKET = 'tap-assets-000000000000-us-east-1';
for (const t of templates) if (t.body.length > INLINE_LIMIT) await s3.send(new PutObjectCommand({ Bucket: ASSET_BUCKET, Key: t.key, Body: t.body }));
const source = (t: (typeof templates)[number]) => (t.body.length > INLINE_LIMIT ? { TemplateURL: `${endpoint}/${ASSET_BUCKET}/${t.key}` } : { TemplateBody: t.body });

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

/**
 * The server's CPU time so far in ms, all its threads (libuv's pool, LevelDB's compactions): Linux's
 * per-thread schedstat, in ns (/proc/<pid>/stat counts 10 ms ticks, too coarse for one operation).
 */
function serverCpuMs(): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${server.pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${server.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended meanwhile: its time is gone from the count either way
      }
    }
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}

type Kind = 'create' | 'noop' | 'delete';
const newSamples = () => ({ create: [] as number[], noop: [] as number[], delete: [] as number[], cpuCreate: [] as number[], cpuDelete: [] as number[] });
const samples = templates.map(() => newSamples());

async function timed(into: ReturnType<typeof newSamples>, kind: Kind, work: () => Promise<void>): Promise<void> {
  const started = performance.now();
  const before = serverCpuMs();
  await work();
  into[kind].push(performance.now() - started);
  if (kind === 'create') into.cpuCreate.push(serverCpuMs() - before);
  if (kind === 'delete') into.cpuDelete.push(serverCpuMs() - before);
}

let refusals = 0;
for (let i = 0; i < runs; i++) {
  for (const [t, template] of templates.entries()) {
    const into = samples[t]!;
    await timed(into, 'create', async () => {
      await cfn.send(new CreateStackCommand({ StackName, ...source(template), Capabilities: ['CAPABILITY_IAM'] }));
      await pollUntil((s) => s === 'CREATE_COMPLETE');
    });
    await timed(into, 'noop', async () => {
      const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: `noop-${i}`, ...source(template), Capabilities: ['CAPABILITY_IAM'] }));
      for (;;) {
        const c = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
        if (c.Status === 'FAILED') break;
        if (c.Status === 'CREATE_COMPLETE') throw new Error('the no-op change set has changes');
        await sleep(pollMs);
      }
      await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: Id }));
    });
    // DeleteStack right after the status said the last operation was over: AWS accepts it. A refusal
    // is counted and the call retried after a poll interval, as a patient script would.
    await timed(into, 'delete', async () => {
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
    });
  }
}

/** One line per figure: the median against the issue's baseline, the 2x goal and the other emulator. */
const verdict = (what: 'create' | 'delete', values: number[]) => {
  const m = median(values);
  const [before, other] = BASELINE[what];
  // A ratio above 1 is faster; below 1, slower (said in words so a reader need not work it out).
  const vs = (base: number) => (m <= base ? `${(base / m).toFixed(2)}x faster than` : `${(m / base).toFixed(2)}x slower than`);
  const goal = before / 2;
  return `  ${what} ${m.toFixed(0)} ms: ${vs(before)} the issue's ${before} ms (goal, 2x: ≤ ${goal.toFixed(0)} ms: ${m <= goal ? 'met' : 'not met'}), ${vs(other)} the other emulator's ${other} ms`;
};
console.log(`local CloudFormation (${serverRoot}), ${runs} runs, DescribeStacks every ${pollMs} ms`);
for (const [t, { name, resources, issue }] of templates.entries()) {
  const s = samples[t]!;
  console.log(`${name}: ${resources} resources`);
  console.log(`  ${summarize('create (→ CREATE_COMPLETE)', s.create)}`);
  console.log(`  ${summarize('no-op update (change set: no changes)', s.noop)}`);
  console.log(`  ${summarize('delete (→ gone)', s.delete)}`);
  console.log(`  ${summarize('create, CPU time of the server', s.cpuCreate)}`);
  console.log(`  ${summarize('delete, CPU time of the server', s.cpuDelete)}`);
  if (issue) {
    console.log(verdict('create', s.create));
    console.log(verdict('delete', s.delete));
  } else {
    // A bigger stack than the issue's: per resource is the figure that compares across sizes.
    const per = (v: number[]) => (median(v) / resources).toFixed(2);
    console.log(`  per resource: create ${per(s.create)} ms, delete ${per(s.delete)} ms (the issue's: ${(BASELINE.create[0] / 19).toFixed(2)} and ${(BASELINE.delete[0] / 19).toFixed(2)} ms)`);
  }
}
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (wall times stretch with it)`);
console.log(`DeleteStack refused right after CREATE_COMPLETE: ${refusals} of ${runs * templates.length} times`);
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
rmSync(synthDir, { recursive: true, force: true });
