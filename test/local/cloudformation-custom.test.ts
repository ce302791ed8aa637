/** Lambda-backed custom resources through the local Lambda runner and the cfn-response protocol; restarts. */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocal } from '../helpers/local.js';
import { createStack, deleteStack, describe as describeStack, events, output, settled, updateStack } from '../helpers/cloudformation.js';

let local: LocalHarness;
let cfn: CloudFormationClient;

beforeAll(async () => {
  local = await startLocal();
  cfn = new CloudFormationClient(local.clientConfig);
});
afterAll(() => local?.stop());

/** A handler in the style of AWS's docs: inline code with the cfn-response module. */
const HANDLER = `
const response = require('cfn-response');
const { writeFileSync, appendFileSync } = require('fs');
exports.handler = async (event, context) => {
  const p = event.ResourceProperties;
  if (p.Log) appendFileSync(p.Log, event.RequestType + ' ' + (event.PhysicalResourceId || '-') + '\\n');
  if (p.Fail === 'true') return response.send(event, context, response.FAILED, {}, undefined, false, 'asked to fail');
  await response.send(event, context, response.SUCCESS, { Greeting: 'hello ' + p.Name }, 'greeter-' + p.Name);
};`;

function template(name: string, extra: Record<string, unknown> = {}, log = '') {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Handler: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 5, Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: HANDLER } },
      },
      Greeter: { Type: 'Custom::Greeter', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, Name: name, Log: log, ...extra } },
      Saved: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Name: '/custom/greeting', Value: { 'Fn::GetAtt': ['Greeter', 'Greeting'] } } },
    },
    Outputs: { Id: { Value: { Ref: 'Greeter' } }, Greeting: { Value: { 'Fn::GetAtt': ['Greeter', 'Greeting'] } } },
  };
}

describe('Lambda-backed custom resources', () => {
  it('creates, updates (a new physical id replaces it) and deletes through the handler', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const log = `${mkdtempSync('/tmp/tap-cr-')}/calls.log`;
    const created = await createStack(cfn, 'custom', template('world', {}, log));
    expect(output(created, 'Id')).toBe('greeter-world');
    expect(output(created, 'Greeting')).toBe('hello world');
    const ssm = new SSMClient(local.clientConfig);
    expect((await ssm.send(new GetParameterCommand({ Name: '/custom/greeting' }))).Parameter?.Value).toBe('hello world');

    const updated = await updateStack(cfn, 'custom', template('moon', {}, log));
    expect(output(updated, 'Greeting')).toBe('hello moon');
    expect((await ssm.send(new GetParameterCommand({ Name: '/custom/greeting' }))).Parameter?.Value).toBe('hello moon');

    await deleteStack(cfn, 'custom');
    // the old physical id is deleted in the update's cleanup, the new one with the stack
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['Create -', 'Update greeter-world', 'Delete greeter-world', 'Delete greeter-moon']);
  });

  it('fails the resource with the handler\'s reason', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'custom-fails', TemplateBody: JSON.stringify(template('x', { Fail: 'true' })), Capabilities: ['CAPABILITY_IAM'] }));
    expect((await settled(cfn, 'custom-fails')).StackStatus).toBe('ROLLBACK_COMPLETE');
    const failed = (await events(cfn, 'custom-fails')).find((e) => e.LogicalResourceId === 'Greeter' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toContain('Received response status [FAILED] from custom resource. Message returned: asked to fail');
  });
});

describe('CloudFormation across restarts', () => {
  it('keeps stacks, and rolls back an operation that a restart interrupted', async () => {
    const first = await startLocal();
    const client = new CloudFormationClient(first.clientConfig);
    await createStack(client, 'kept', { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'kept' } } } });
    // a handler that never answers keeps the create in progress
    const silent = template('never');
    (silent.Resources.Handler.Properties.Code as { ZipFile: string }).ZipFile = 'exports.handler = async () => {};';
    await client.send(new CreateStackCommand({ StackName: 'interrupted', TemplateBody: JSON.stringify(silent), Capabilities: ['CAPABILITY_IAM'] }));
    for (let i = 0; i < 100; i++) {
      const greeter = (await events(client, 'interrupted')).find((e) => e.LogicalResourceId === 'Greeter');
      if (greeter) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await first.stop();

    const second = await startLocal({ dataDir: first.dataDir });
    try {
      const again = new CloudFormationClient(second.clientConfig);
      expect((await describeStack(again, 'kept')).StackStatus).toBe('CREATE_COMPLETE');
      const interrupted = await settled(again, 'interrupted');
      expect(interrupted.StackStatus).toBe('ROLLBACK_COMPLETE');
      const reasons = (await events(again, 'interrupted')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus} ${e.ResourceStatusReason ?? ''}`.trim());
      expect(reasons).toContain('Greeter CREATE_FAILED tap local stopped while this operation was in progress.');
      expect(reasons).toContain('interrupted ROLLBACK_IN_PROGRESS tap local stopped while this operation was in progress. Rollback requested by user.');
      await deleteStack(again, 'kept');
    } finally {
      await second.stop();
    }
  });
});
