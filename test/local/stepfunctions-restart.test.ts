/** Executions survive a restart of the local AWS: resumed from the state they were in, never lost. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFunction, eventually } from '../helpers/lambda.js';
import { listening, startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished, history, types } from '../helpers/sfn.js';

// Executions take real seconds (Waits, Retry back-offs, Lambda workers); generous on a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 180_000 });

let running: LocalHarness | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Counts its calls in a file (worker memory does not survive a restart) and fails the first `failTimes`. */
const COUNTING = `import { readFileSync, writeFileSync } from 'node:fs';
  export const handler = async (e) => {
    let n = 0; try { n = Number(readFileSync(e.file, 'utf8')); } catch {}
    writeFileSync(e.file, String(++n));
    if (n <= e.failTimes) { const err = new Error('call ' + n + ' failed'); err.name = 'PartnerDown'; throw err; }
    return { calls: n };
  };`;

async function restart(local: LocalHarness): Promise<LocalHarness> {
  await local.stop();
  running = await startLocal({ dataDir: local.dataDir });
  return running;
}

describe('a restart of the local AWS', () => {
  it('during a Wait: the execution carries on and ends when the Wait would have; states before it are not run again', async () => {
    running = await startLocal();
    const dir = mkdtempSync(join(tmpdir(), 'tap-sfn-restart-'));
    await createFunction(new LambdaClient(running.clientConfig), 'counting', { 'index.mjs': COUNTING });
    const sfn = new SFNClient(running.clientConfig);
    const arn = await createMachine(sfn, 'waits', {
      StartAt: 'Before',
      States: {
        Before: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'counting', 'Payload.$': '$' }, ResultSelector: { 'calls.$': '$.Payload.calls' }, ResultPath: '$.before', Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 8, Next: 'After' },
        After: { Type: 'Pass', Parameters: { 'state.$': '$', 'execution.$': '$$.Execution.Input', 'name.$': '$$.Execution.Name' }, End: true },
      },
    });
    const input = { file: join(dir, 'calls'), failTimes: 0 };
    const { executionArn, startDate } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
    await eventually(async () => (types(await history(sfn, executionArn!)).includes('WaitStateEntered') ? true : undefined), { timeoutMs: 60_000 });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    const second = await restart(running);
    const sfn2 = new SFNClient(second.clientConfig);
    const done = await finished(sfn2, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    // The state's data carried over the restart; the context object still has the execution's own input.
    expect(JSON.parse(done.output!)).toEqual({ state: { ...input, before: { calls: 1 } }, execution: input, name: executionArn!.split(':').pop() });
    expect(done.stopDate!.getTime() - startDate!.getTime()).toBeGreaterThanOrEqual(7_900);
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe('1'); // the Task before the Wait ran once
    const events = types(await history(sfn2, executionArn!));
    expect(events.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(events.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
    expect(events.at(-1)).toBe('ExecutionSucceeded');
  });

  it('during a Retry back-off: the retries already used still count, the back-off carries on', async () => {
    running = await startLocal();
    const dir = mkdtempSync(join(tmpdir(), 'tap-sfn-restart-'));
    await createFunction(new LambdaClient(running.clientConfig), 'counting', { 'index.mjs': COUNTING });
    const sfn = new SFNClient(running.clientConfig);
    const arn = await createMachine(sfn, 'backoff', {
      StartAt: 'Notify',
      States: {
        Notify: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'counting', 'Payload.$': '$' },
          Retry: [{ ErrorEquals: ['PartnerDown'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 1 }],
          End: true,
        },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ file: join(dir, 'calls'), failTimes: 99 }) }));
    await eventually(async () => (types(await history(sfn, executionArn!)).includes('TaskFailed') ? true : undefined), { timeoutMs: 60_000 });

    const second = await restart(running);
    const sfn2 = new SFNClient(second.clientConfig);
    const done = await finished(sfn2, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'PartnerDown' });
    // 1 attempt + 2 retries, as without the restart (a reset count would have made 4).
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe('3');
    expect(types(await history(sfn2, executionArn!)).filter((t) => t === 'TaskScheduled')).toHaveLength(3);
  });

  it('keeps finished executions and their history', async () => {
    running = await startLocal();
    const sfn = new SFNClient(running.clientConfig);
    const arn = await createMachine(sfn, 'kept', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"a":1}' }));
    await finished(sfn, executionArn!);
    const second = await restart(running);
    const sfn2 = new SFNClient(second.clientConfig);
    expect(await finished(sfn2, executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}' });
    expect(types(await history(sfn2, executionArn!))).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    await expect(sfn2.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"a":1}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });
  it('killed with SIGKILL during a Wait: the execution is resumed by the next start, not lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-sfn-kill-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let executionArn: string;
    try {
      const endpoint = await listening(child);
      const sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
      const arn = await createMachine(sfn, 'killed', { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 8, Next: 'After' }, After: { Type: 'Pass', Result: 'survived', End: true } } });
      executionArn = (await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }))).executionArn!;
      await eventually(async () => (types(await history(sfn, executionArn)).includes('WaitStateEntered') ? true : undefined), { timeoutMs: 60_000 });
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    running = await startLocal({ dataDir });
    const sfn2 = new SFNClient(running.clientConfig);
    expect(await finished(sfn2, executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '"survived"' });
  });
});

