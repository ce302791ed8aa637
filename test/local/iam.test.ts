import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let iam: IAMClient;
beforeAll(async () => {
  local = await startLocal();
  iam = new IAMClient(local.clientConfig);
});
afterAll(() => local.stop());

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('IAM (stored, not enforced)', () => {
  it('creates, reads back (URL-encoded documents, as AWS), tags, lists and deletes a role with policies', async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'Project', Value: 'tap' }] }));
    expect(created.Role?.Arn).toBe('arn:aws:iam::000000000000:role/fn-role');
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trust }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });

    const got = await iam.send(new GetRoleCommand({ RoleName: 'fn-role' }));
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));

    await iam.send(new TagRoleCommand({ RoleName: 'fn-role', Tags: [{ Key: 'Env', Value: 'dev' }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'fn-role' }))).Tags).toEqual([
      { Key: 'Project', Value: 'tap' },
      { Key: 'Env', Value: 'dev' },
    ]);

    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'fn-role', PolicyName: 'read', PolicyDocument: doc }));
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'fn-role', PolicyName: 'read' }));
    expect(decodeURIComponent(inline.PolicyDocument!)).toBe(doc);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'fn-role' }))).PolicyNames).toEqual(['read']);

    const managed = await iam.send(new CreatePolicyCommand({ PolicyName: 'extra', PolicyDocument: doc }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fn-role', PolicyArn: managed.Policy!.Arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fn-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'fn-role' }))).AttachedPolicies?.map((p) => p.PolicyName)).toEqual([
      'extra',
      'AWSLambdaBasicExecutionRole',
    ]);
    expect((await iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain('fn-role');

    // AWS refuses to delete a role that still has policies
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'fn-role' }))).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: managed.Policy!.Arn }))).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'fn-role', PolicyName: 'read' }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'fn-role', PolicyArn: managed.Policy!.Arn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'fn-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'fn-role' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: managed.Policy!.Arn }));
    await expect(iam.send(new GetRoleCommand({ RoleName: 'fn-role' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('keeps roles across a restart', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'durable', AssumeRolePolicyDocument: trust }));
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir });
    iam = new IAMClient(local.clientConfig);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'durable' }))).Role?.RoleName).toBe('durable');
  });
});
