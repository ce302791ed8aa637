/** The Step Functions API on the local AWS: state machines, executions, names, errors and bad input. */
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TagResourceCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished, runToEnd, SFN_ROLE } from '../helpers/sfn.js';

// Executions take real seconds (Waits, Retry back-offs, Lambda workers); generous on a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000 });

let local: LocalHarness;
let sfn: SFNClient;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  sfn = new SFNClient(local.clientConfig);
});
afterAll(() => local.stop());

const pass = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const waiting = (seconds: number) => ({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: seconds, End: true } } });

describe('state machines', () => {
  it('creates (idempotently for the same configuration), describes, updates, lists, tags and deletes', async () => {
    const definition = JSON.stringify(pass);
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'tap-dev-delivery', definition, roleArn: SFN_ROLE, tags: [{ key: 'app', value: 'tap' }] }));
    expect(created.stateMachineArn).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:tap-dev-delivery');
    const again = await sfn.send(new CreateStateMachineCommand({ name: 'tap-dev-delivery', definition, roleArn: SFN_ROLE }));
    expect(again.creationDate).toEqual(created.creationDate);
    await expect(sfn.send(new CreateStateMachineCommand({ name: 'tap-dev-delivery', definition: JSON.stringify(waiting(1)), roleArn: SFN_ROLE }))).rejects.toMatchObject({
      name: 'StateMachineAlreadyExists',
      message: `State Machine Already Exists: '${created.stateMachineArn}'`,
    });

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'tap-dev-delivery', status: 'ACTIVE', type: 'STANDARD', definition, roleArn: SFN_ROLE, loggingConfiguration: { level: 'OFF' } });

    const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: JSON.stringify(waiting(0)) }));
    expect(updated.updateDate).toBeInstanceOf(Date);
    expect(JSON.parse((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }))).definition!)).toEqual(waiting(0));
    await expect(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn }))).rejects.toMatchObject({ name: 'MissingRequiredParameter' });

    await sfn.send(new TagResourceCommand({ resourceArn: created.stateMachineArn, tags: [{ key: 'env', value: 'dev' }] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: created.stateMachineArn }))).tags).toEqual([{ key: 'app', value: 'tap' }, { key: 'env', value: 'dev' }]);
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).toContain('tap-dev-delivery');

    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn })); // idempotent, as on AWS
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${created.stateMachineArn}'`,
    });
  });

  it('pages ListStateMachines', async () => {
    for (let i = 0; i < 3; i++) await createMachine(sfn, `paged-${i}`, pass);
    const first = await sfn.send(new ListStateMachinesCommand({ maxResults: 2 }));
    expect(first.stateMachines).toHaveLength(2);
    const rest = await sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect([...first.stateMachines!, ...rest.stateMachines!].filter((m) => m.name!.startsWith('paged-'))).toHaveLength(3);
    await expect(sfn.send(new ListStateMachinesCommand({ nextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('refuses malformed definitions with InvalidDefinition, bad names with InvalidName, and bad role ARNs', async () => {
    const create = (definition: string, name = 'bad') => sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: SFN_ROLE }));
    for (const bad of ['{not json', '[]', '{}', JSON.stringify({ StartAt: 'Nowhere', States: { P: { Type: 'Pass', End: true } } }), JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Teleport', End: true } } }), JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Q' } } })]) {
      await expect(create(bad), bad).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringMatching(/^Invalid State Machine Definition: '/) });
    }
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    await expect(create(deep)).rejects.toMatchObject({ name: 'InvalidDefinition' });
    const nested = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: JSON.parse(`${'{"a":'.repeat(600)}1${'}'.repeat(600)}`), End: true } } });
    await expect(create(nested)).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('nested deeper') });
    await expect(create(JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }))).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('JSONata') });
    await expect(create(JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true } } }))).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('waitForTaskToken') });
    for (const name of ['has space', 'a/b', 'semi;colon', 'star*', 'ctrl\u0001']) {
      await expect(create(JSON.stringify(pass), name), name).rejects.toMatchObject({ name: 'InvalidName', message: `Invalid Name: '${name}'` });
    }
    await expect(create(JSON.stringify(pass), 'n'.repeat(81))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(sfn.send(new CreateStateMachineCommand({ name: 'role', definition: JSON.stringify(pass), roleArn: 'not-an-arn' }))).rejects.toMatchObject({ name: 'InvalidArn' });
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:eu-west-1:000000000000:execution:x:y' }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });
});

describe('executions', () => {
  it('starts with AWS\'s name rules: same name and input while running returns it; different input, or finished, is ExecutionAlreadyExists', async () => {
    const arn = await createMachine(sfn, 'names', waiting(2));
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'file-1-v1-SUCCESS', input: '{"k":1}' }));
    expect(first.executionArn).toBe('arn:aws:states:eu-west-1:000000000000:execution:names:file-1-v1-SUCCESS');
    // Concurrent duplicates (a duplicate S3 event) all land on the one execution.
    const dupes = await Promise.all(Array.from({ length: 5 }, () => sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'file-1-v1-SUCCESS', input: '{"k":1}' }))));
    for (const d of dupes) expect(d).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'file-1-v1-SUCCESS', input: '{"k":2}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
      message: `Execution Already Exists: '${first.executionArn}'`,
    });
    expect((await finished(sfn, first.executionArn!)).status).toBe('SUCCEEDED');
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'file-1-v1-SUCCESS', input: '{"k":1}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions).toHaveLength(1);
  });

  it('describes, lists by status (newest first, paged) and pages the history (reverse order too)', async () => {
    const arn = await createMachine(sfn, 'listing', waiting(0));
    const done = await runToEnd(sfn, arn, { n: 1 });
    expect(done).toMatchObject({ status: 'SUCCEEDED', input: '{"n":1}', output: '{"n":1}', stateMachineArn: arn });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
    const slow = await createMachine(sfn, 'listing-slow', waiting(30));
    const { executionArn: running } = await sfn.send(new StartExecutionCommand({ stateMachineArn: slow }));
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: slow, statusFilter: 'RUNNING' }))).executions!.map((e) => e.executionArn)).toEqual([running]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: slow, statusFilter: 'SUCCEEDED' }))).executions).toEqual([]);
    await sfn.send(new StopExecutionCommand({ executionArn: running }));
    await runToEnd(sfn, arn, { n: 2 });
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: page1.executions![0]!.executionArn }))).input!)).toEqual({ n: 2 });
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1, nextToken: page1.nextToken }))).executions).toHaveLength(1);

    const forward = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn, maxResults: 2 }));
    expect(forward.events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    const reverse = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn, reverseOrder: true, includeExecutionData: false }));
    expect(reverse.events![0]).toMatchObject({ type: 'ExecutionSucceeded', executionSucceededEventDetails: {} });
    expect(reverse.events![0]!.executionSucceededEventDetails!.output).toBeUndefined();
  });

  it('refuses bad input: not JSON, over 256 KiB, too deep; unknown machines and executions', async () => {
    const arn = await createMachine(sfn, 'inputs', pass);
    const start = (input: string) => sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input }));
    await expect(start('{"truncated":')).rejects.toMatchObject({ name: 'InvalidExecutionInput', message: expect.stringMatching(/^Invalid State Machine Execution Input: /) });
    await expect(start(JSON.stringify({ s: 'x'.repeat(262_144) }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('262144') });
    await expect(start(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    // Exactly at the limit (bytes, not characters) is accepted.
    const big = JSON.stringify({ s: 'é'.repeat((262_144 - 8) / 2) });
    expect(Buffer.byteLength(big)).toBe(262_144);
    expect((await runToEnd(sfn, arn, JSON.parse(big))).status).toBe('SUCCEEDED');
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'bad name' }))).rejects.toMatchObject({ name: 'InvalidName' });
    const missing = 'arn:aws:states:eu-west-1:000000000000:stateMachine:missing';
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: missing }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: missing }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    const noExecution = 'arn:aws:states:eu-west-1:000000000000:execution:inputs:nope';
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: noExecution }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${noExecution}'` });
    await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn: noExecution }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });
});
