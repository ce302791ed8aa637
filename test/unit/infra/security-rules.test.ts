import { Validations } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { checkSecurityRules } from '../../../src/infra/rules.js';
import { buildStack } from '../../helpers/stack.js';

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it.each(['dev', 'prod'])('%s has no unacknowledged finding', async (env) => {
    const { stack } = await buildStack(env, { alarmEmail: 'ops@example.com' });
    expect(await checkSecurityRules(stack)).toEqual([]);
  });

  it('every acknowledgment carries a written reason', async () => {
    const { stack } = await buildStack('dev');
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
    expect(acks.length).toBeGreaterThan(3);
    for (const ack of acks) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
  });

  it('would catch a real problem: an unencrypted, public bucket added to the stack is reported', async () => {
    const { stack } = await buildStack('dev');
    const { Bucket, BlockPublicAccess } = await import('aws-cdk-lib/aws-s3');
    new Bucket(stack, 'Leaky', { blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY, versioned: false });
    const rules = (await checkSecurityRules(stack)).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe("CDK's template validation (tap synth --validate)", () => {
  it('fails synthesis on an invalid property instead of only warning', async () => {
    const { CfnResource } = await import('aws-cdk-lib');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildApp } = await import('../../../src/infra/app.js');
    const { app, stack } = await buildApp({ envName: 'dev', outDir: mkdtempSync(join(tmpdir(), 'tap-val-')), validate: true });
    const queue = stack.node
      .findAll()
      .find((c): c is InstanceType<typeof CfnResource> => c instanceof CfnResource && c.cfnResourceType === 'AWS::SQS::Queue')!;
    queue.addPropertyOverride('VisibilityTimeout', 'soon');
    expect(() => app.synth()).toThrow(expect.objectContaining({ name: 'ValidationFailed' }));
  });
});
