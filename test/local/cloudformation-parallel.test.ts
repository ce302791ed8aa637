/**
 * Resources are provisioned as CloudFormation does: as many at a time as their dependencies allow,
 * each only after everything it depends on is complete; a failure in one branch starts nothing new,
 * lets what runs finish, and rolls back everything created. And the operation's resources, written
 * under one group commit, are all there after a restart.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { createStack, describe as describeStack, events, settled } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
  sqs = new SQSClient(local.clientConfig);
});
afterAll(() => local?.stop());

const queue = (name: string, props: Record<string, unknown> = {}, dependsOn?: string[]) => ({
  Type: 'AWS::SQS::Queue',
  Properties: { QueueName: name, ...props },
  ...(dependsOn ? { DependsOn: dependsOn } : {}),
});
const queues = async (prefix: string) => (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];
/** The resource events oldest first, as `<id> <status>`. */
const timeline = async (stack: string) =>
  (await events(cfn, stack)).reverse().filter((e) => e.LogicalResourceId !== stack).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);

describe('CloudFormation provisioning order', () => {
  it('creates independent resources together, each after what it depends on (a diamond)', async () => {
    // arrange: Top ← Left, Right (a Ref and a GetAtt) ← Bottom (DependsOn both)
    const template = {
      Resources: {
        Top: queue('diamond-top'),
        Left: queue('diamond-left', { Tags: [{ Key: 'top', Value: { Ref: 'Top' } }] }),
        Right: queue('diamond-right', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Top', 'Arn'] }, maxReceiveCount: 3 } }),
        Bottom: queue('diamond-bottom', {}, ['Left', 'Right']),
      },
    };

    // act
    const stack = await createStack(cfn, 'diamond', template);

    // assert: both branches started before either finished; nothing started before its dependencies
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const order = await timeline('diamond');
    const at = (entry: string) => {
      const i = order.indexOf(entry);
      expect(i, entry).toBeGreaterThanOrEqual(0);
      return i;
    };
    for (const branch of ['Left', 'Right']) {
      expect(at(`${branch} CREATE_IN_PROGRESS`)).toBeGreaterThan(at('Top CREATE_COMPLETE'));
      expect(at('Bottom CREATE_IN_PROGRESS')).toBeGreaterThan(at(`${branch} CREATE_COMPLETE`));
    }
    expect(Math.max(at('Left CREATE_IN_PROGRESS'), at('Right CREATE_IN_PROGRESS'))).toBeLessThan(Math.min(at('Left CREATE_COMPLETE'), at('Right CREATE_COMPLETE')));
    expect((await queues('diamond-')).length).toBe(4);
  });

  it('rolls back every branch when a resource in one branch fails, and starts nothing after the failure', async () => {
    // arrange: Root ← Fails (an invalid VisibilityTimeout) and Root ← Sibling ← Grandchild
    await cfn.send(new CreateStackCommand({
      StackName: 'branches',
      TemplateBody: JSON.stringify({
        Resources: {
          Root: queue('branches-root'),
          Fails: queue('branches-fails', { VisibilityTimeout: 99_999 }, ['Root']),
          Sibling: queue('branches-sibling', {}, ['Root']),
          Grandchild: queue('branches-grandchild', {}, ['Sibling']),
        },
      }),
    }));

    // act
    const stack = await settled(cfn, 'branches');

    // assert: the failure is named, what was created is deleted (dependents first), nothing is left
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const all = await events(cfn, 'branches');
    expect(all.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe('The following resource(s) failed to create: [Fails]. Rollback requested by user.');
    const order = await timeline('branches');
    // The sibling branch ran beside the failure; the grandchild, due after it, never started.
    expect(order).toContain('Sibling CREATE_COMPLETE');
    expect(order.filter((e) => e.startsWith('Grandchild '))).toEqual([]);
    expect(order.indexOf('Sibling DELETE_COMPLETE')).toBeLessThan(order.indexOf('Root DELETE_IN_PROGRESS'));
    for (const id of ['Root', 'Sibling']) expect(order).toContain(`${id} DELETE_COMPLETE`);
    expect(await queues('branches-')).toEqual([]);
  });

  it('keeps every resource of a completed create across a restart (the group commit came before CREATE_COMPLETE)', async () => {
    // arrange: a stack of independent resources, all written under one commit
    const template = { Resources: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`Q${i}`, queue(`restart-q${i}`)])) };
    await createStack(cfn, 'restart', template);

    // act: stop the local AWS and start it again on the same data dir
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir });
    cfn = new CloudFormationClient(local.clientConfig);
    sqs = new SQSClient(local.clientConfig);

    // assert: the stack is final and every queue it made is still there
    expect((await describeStack(cfn, 'restart')).StackStatus).toBe('CREATE_COMPLETE');
    expect((await queues('restart-q')).length).toBe(8);
  });
});
