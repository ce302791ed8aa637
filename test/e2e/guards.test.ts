/**
 * Guards and remembered settings with the real binary on the local AWS (no terminal, as in CI):
 * protected environments on every mutating path, settings remembered on the stack, and looking at
 * the DLQ without changing it. Two stacks, deployed once: `prod` (protected by its name, with an
 * alarm e-mail) and `stage` (marked --protected).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tapWorkspace, type TapRun } from '../helpers/cli.js';
import { copyOfTap, type Workspace } from '../helpers/workspace.js';

let tap: Workspace;
const { cwd, tap: run, stop } = tapWorkspace('guards', { bin: () => tap.bin });
const json = (r: TapRun) => {
  expect(r.code, `exit ${r.code}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};
let endpoint = '';
/** Each test runs several tap commands; on a loaded 2-core machine one can take 30 s. */
const SLOW = 300_000;
const client = <T>(C: new (c: object) => T) => new C({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
let prod: Record<string, string> = {};
let stage: Record<string, string> = {};

beforeAll(async () => {
  tap = copyOfTap();
  const first = json(await run('deploy', '--env', 'prod', '--yes', '--alarm-email', 'ops@example.com', '--json'));
  endpoint = first.target.endpoint;
  prod = first.outputs;
  stage = json(await run('deploy', '--env', 'stage', '--protected', '--yes', '--json')).outputs;
}, 480_000); // two deploys: generous, for a loaded 2-core CI machine

afterAll(async () => {
  await stop();
});

const codeSha = async () => (await client(LambdaClient).send(new GetFunctionCommand({ FunctionName: prod.ProcessorFunctionName }))).Configuration?.CodeSha256;
const stackOf = async (name: string) => (await client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
const subscribers = async () =>
  ((await client(SNSClient).send(new ListSubscriptionsByTopicCommand({ TopicArn: prod.AlarmTopicArn }))).Subscriptions ?? []).map((s) => s.Endpoint);

describe('remembered settings', () => {
  it('after --alarm-email, diff exits 0 and a plain deploy reuses it, saying so', async () => {
    const d = await run('diff', '--env', 'prod');
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stderr).toContain('Using the settings remembered on the stack: alarm e-mail ops@example.com');

    const again = await run('deploy', '--env', 'prod', '--yes', '--json');
    expect(json(again)).toMatchObject({ outcome: 'no-changes', settings: { alarmEmail: 'ops@example.com', reused: ['alarmEmail'] } });
    expect(again.stderr).toContain("alarm e-mail ops@example.com (change: --alarm-email ADDRESS; clear: --alarm-email '')");
    expect((await stackOf('TapStack-prod')).Tags).toContainEqual({ Key: 'tap:alarm-email', Value: 'ops@example.com' });
  }, SLOW);

  it('prod --hotswap without a terminal refuses and changes nothing; with --yes it keeps the subscription', async () => {
    // arrange: a code-only change
    tap.edit('src/handlers/processor.ts', (t) => `${t}\n// edited by the guards test ${Date.now()}\nexport const guardsTestMarker = 1;\n`);
    const before = { sha: await codeSha(), status: (await stackOf('TapStack-prod')).StackStatus };
    // act
    const refused = await run('deploy', '--env', 'prod', '--hotswap');
    // assert
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('prod is a protected environment: this hotswap replaces its function code');
    expect(refused.stderr).toContain('re-run with --yes');
    expect({ sha: await codeSha(), status: (await stackOf('TapStack-prod')).StackStatus }).toEqual(before);

    const hot = json(await run('deploy', '--env', 'prod', '--hotswap', '--yes', '--json'));
    expect(hot.outcome).toBe('hotswapped');
    expect(await codeSha()).not.toBe(before.sha);
    expect(await subscribers()).toEqual(['ops@example.com']);
  }, SLOW);
});

describe('a custom protected environment (deployed with --protected)', () => {
  const sqs = () => client(SQSClient);
  const receiveCount = async (queueUrl: string | undefined) => {
    const got = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    return Number(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount);
  };
  const depth = async (queueUrl: string | undefined) =>
    Number((await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);

  it('tap status on a dead-lettered file leaves its receive count unchanged', async () => {
    // arrange: the processor is off, the file's message is moved to the DLQ as SQS would after 3 tries
    const lambda = client(LambdaClient);
    const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: stage.ProcessorFunctionName }))).EventSourceMappings ?? [];
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping!.UUID, Enabled: false }));
    const file = join(cwd, 'stuck.json');
    writeFileSync(file, '[{"shipment_id":"S1","status":"DELIVERED","timestamp":"2026-01-05T10:00:00Z"}]');
    expect((await run('upload', file, '--env', 'stage')).code).toBe(0);
    let message;
    while (!message) [message] = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: stage.IngestQueueUrl, WaitTimeSeconds: 1 }))).Messages ?? [];
    await sqs().send(new SendMessageCommand({ QueueUrl: stage.DeadLetterQueueUrl, MessageBody: message.Body! }));
    await sqs().send(new DeleteMessageCommand({ QueueUrl: stage.IngestQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
    const before = await receiveCount(stage.DeadLetterQueueUrl);

    // act: every way of looking that needs no receive
    const status = await run('status', '--file', 'stuck.json', '--env', 'stage');
    const list = await run('dlq', 'list', '--env', 'stage', '--json');
    const recent = await run('status', '--env', 'stage', '--json');

    // assert: only this test's own receive counted
    expect(await receiveCount(stage.DeadLetterQueueUrl)).toBe(before + 1);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('1 message wait in the dead-letter queue; this file may be one of them.');
    expect(json(list).dlq.depth.visible).toBe(1);
    expect(json(recent).dlqDepth).toBe(1);

    // asked to look, status finds it, and says the count includes the look
    const looked = await run('status', '--file', 'stuck.json', '--env', 'stage', '--dlq');
    expect(looked.stdout).toMatch(/In the dead-letter queue: 1 message about this file \(received \d+ times, this look included/);
  }, SLOW);

  it('is remembered on the stack: destroy, dlq purge and dlq redrive refuse without a terminal, from any machine', async () => {
    expect((await stackOf('TapStack-stage')).Tags).toContainEqual({ Key: 'tap:protected', Value: 'true' });
    rmSync(join(cwd, '.tap', 'stage.json'), { force: true }); // another machine: only the stack knows
    expect(await depth(stage.DeadLetterQueueUrl)).toBe(1);

    const destroy = await run('destroy', '--env', 'stage', '--yes');
    expect(destroy.code).toBe(2);
    expect(destroy.stderr).toContain('stage is protected (it was deployed with --protected). To destroy it anyway, add --force');

    const purge = await run('dlq', 'purge', '--env', 'stage');
    expect(purge.code).toBe(2);
    expect(purge.stderr).toContain('stage is a protected environment. Delete all 1 message(s)');
    expect(purge.stderr).toContain('--yes');

    const redrive = await run('dlq', 'redrive', '--env', 'stage');
    expect(redrive.code).toBe(2);
    expect(redrive.stderr).toContain('stage is a protected environment: this moves all 1 dead-lettered message(s) back to the ingest queue');
    expect(redrive.stderr).toContain('--yes');

    expect(await depth(stage.DeadLetterQueueUrl)).toBe(1);
    expect(await depth(stage.IngestQueueUrl)).toBe(0);
    expect((await stackOf('TapStack-stage')).StackStatus).toMatch(/_COMPLETE$/);
  }, SLOW);
});
