/**
 * `tap deploy`, `tap diff` and `tap destroy` as a user runs them: the real binary (a copy of it, so
 * the test can edit the handler and the stack), no AWS credentials, the local AWS on a free port.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { createFunction } from '../helpers/lambda.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTap, tapWorkspace, type TapRun } from '../helpers/cli.js';
import { injectFault } from '../helpers/local.js';
import { copyOfTap, type Workspace } from '../helpers/workspace.js';

let tap: Workspace;
const { cwd, tap: run, stop } = tapWorkspace('deploy', { bin: () => tap.bin });
const json = (r: TapRun) => {
  expect(r.code, `exit ${r.code}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};
let endpoint = '';
const client = <T>(C: new (c: object) => T) => new C({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

beforeAll(() => {
  tap = copyOfTap();
});
afterAll(async () => {
  await stop();
});

describe('tap deploy on the local AWS', () => {
  it('first deploy: no credentials means the local AWS (said once), outputs printed and saved', async () => {
    const first = await run('deploy', '--env', 'dev', '--json');
    const result = json(first);
    expect(first.stderr).toContain('No AWS credentials found: using the local AWS');
    expect(first.stderr).toMatch(/Target: the local AWS at http:\/\/127\.0\.0\.1:\d+ \(us-east-1\)/);
    expect(result).toMatchObject({ stackName: 'TapStack-dev', outcome: 'created', target: { kind: 'local' } });
    expect(result.outputs.UploadBucketName).toBe('tap-dev-uploads-000000000000-us-east-1');
    expect(JSON.parse(readFileSync(join(cwd, '.tap', 'dev.json'), 'utf8')).outputs).toEqual(result.outputs);
    expect(result.outputs).not.toHaveProperty('TapFingerprint'); // tap's own bookkeeping, not the user's
    endpoint = result.target.endpoint;
  });

  it('unchanged deploy: "no changes", and no change set is created', async () => {
    const changeSets = async () =>
      (await client(CloudFormationClient).send(new ListChangeSetsCommand({ StackName: 'TapStack-dev' }))).Summaries ?? [];
    const before = await changeSets();
    const unchanged = await run('deploy', '--env', 'dev', '--json');
    const result = json(unchanged);
    expect(result.outcome).toBe('no-changes');
    expect(await changeSets()).toEqual(before);
    // The stack's fingerprint matched: no synthesis, no asset upload.
    expect(unchanged.stderr).toContain('built from the same sources, dependencies and settings');
    expect(unchanged.stderr).not.toContain('Synthesizing');
    // The target was explained on the first deploy, and the result's headline names it: no line for it.
    expect(unchanged.stderr).not.toMatch(/No AWS credentials|Target:/);
    expect(result.outputs).toEqual(JSON.parse(readFileSync(join(cwd, '.tap', 'dev.json'), 'utf8')).outputs);
    expect(result.outputs.UploadBucketName).toBe('tap-dev-uploads-000000000000-us-east-1');
  });

  it('diff exits 0 when there is nothing to deploy', async () => {
    const d = await run('diff', '--env', 'dev');
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('no differences');
  });

  it('after a code change: diff exits 1; --hotswap updates only the code; a full deploy reconciles', async () => {
    tap.edit('src/handlers/processor.ts', (t) => `${t}\n// edited by the deploy test ${Date.now()}\nexport const deployTestMarker = 1;\n`);
    const d = await run('diff', '--env', 'dev', '--json');
    expect(d.code).toBe(1);
    expect(JSON.parse(d.stdout).resources).toEqual([expect.objectContaining({ type: 'AWS::Lambda::Function', impact: 'WILL_UPDATE' })]);

    const lambda = client(LambdaClient);
    const before = (await lambda.send(new GetFunctionCommand({ FunctionName: 'tap-dev-processor' }))).Configuration?.CodeSha256;
    const hot = await run('deploy', '--env', 'dev', '--hotswap', '--json');
    expect(json(hot).outcome).toBe('hotswapped');
    expect(hot.stderr).toContain('drifts from its template');
    const after = (await lambda.send(new GetFunctionCommand({ FunctionName: 'tap-dev-processor' }))).Configuration?.CodeSha256;
    expect(after).not.toBe(before);

    const full = json(await run('deploy', '--env', 'dev', '--json'));
    expect(full.outcome).toBe('updated');
    expect(full.changes).toEqual([expect.objectContaining({ logicalId: expect.stringContaining('ProcessorFunction'), action: 'Modify' })]);
  });

  it('--hotswap falls back to a full deploy when infrastructure changed too', async () => {
    const result = await run('deploy', '--env', 'dev', '--hotswap', '--alarm-email', 'ops@example.com', '--json');
    expect(json(result).outcome).toBe('updated');
    expect(result.stderr).toContain('the settings changed (alarmEmail), so this is a full deploy instead of a hotswap');
    expect(JSON.parse(result.stdout).changes).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'Add', type: 'AWS::SNS::Subscription' })]));
  });

  it('a failing deploy shows the failing resource and the rollback; the next deploy recovers', async () => {
    tap.edit('dist/infra/processor.js', (t) => t.replace('memorySize: 1024', 'memorySize: 1'));
    const failed = await run('deploy', '--env', 'dev', '--alarm-email', 'ops@example.com');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Deploying TapStack-dev failed \(UPDATE_ROLLBACK_COMPLETE\)/);
    expect(failed.stderr).toMatch(/ProcessorFunction.*\(AWS::Lambda::Function\): .*memorySize.*greater than or equal to 128/);
    expect(failed.stderr).toContain('the previous version is in place');
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    const stacks = await client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'TapStack-dev' }));
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');

    tap.restore('dist/infra/processor.js');
    const recovered = json(await run('deploy', '--env', 'dev', '--alarm-email', 'ops@example.com', '--json'));
    expect(recovered.outcome).toBe('no-changes'); // the rollback left exactly the last good version
  }, 180_000); // an update, its rollback and a second deploy of the whole stack (the partner API included)

  it('a failed first deploy (ROLLBACK_COMPLETE) is deleted and created again by the next deploy', async () => {
    tap.edit('dist/infra/processor.js', (t) => t.replace('memorySize: 1024', 'memorySize: 1'));
    const failed = await run('deploy', '--env', 'broken');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Deploying TapStack-broken failed (ROLLBACK_COMPLETE)');
    expect(failed.stderr).toContain('nothing of it remains');

    tap.restore('dist/infra/processor.js');
    const again = await run('deploy', '--env', 'broken', '--json');
    expect(json(again).outcome).toBe('created');
    expect(again.stderr).toContain('TapStack-broken is in ROLLBACK_COMPLETE after a failed first deploy: deleting it to create it again');
  });

  it('destroy empties the bucket and deletes the stack', async () => {
    const gone = json(await run('destroy', '--env', 'dev', '--yes', '--json'));
    expect(gone).toMatchObject({ stackName: 'TapStack-dev', existed: true, retained: [] });
    const stacks = client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'TapStack-dev' }));
    await expect(stacks).rejects.toThrow(/does not exist/);
    const again = json(await run('destroy', '--env', 'dev', '--yes', '--json'));
    expect(again.existed).toBe(false);
  });
});

describe('mistakes a new user makes', () => {
  it('a bad --env name', async () => {
    const r = await run('deploy', '--env', 'My_Env');
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('Invalid environment name "My_Env"')]);
  });

  it('an unknown region', async () => {
    const r = await run('deploy', '--env', 'dev', '--region', 'mars-north-1x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not an AWS region name');
  });

  it('expired credentials', async () => {
    await injectFault(endpoint, { service: 'sts', operation: 'GetCallerIdentity', code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
    const r = await runTap(['deploy', '--env', 'dev', '--endpoint-url', endpoint], {
      cwd,
      bin: tap.bin,
      env: { AWS_ACCESS_KEY_ID: 'AKIAEXPIRED', AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 'old' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AWS rejected the credentials .*ExpiredToken/);
    expect(r.stderr).toMatch(/AWS_ACCESS_KEY_ID|--profile/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an endpoint nobody answers', async () => {
    const r = await run('deploy', '--env', 'dev', '--endpoint-url', 'http://127.0.0.1:9');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED/);
  });

  it('prod without --yes and without a terminal is refused, and nothing changes', async () => {
    const r = await run('deploy', '--env', 'prod');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('re-run with --yes');
    const stacks = client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'TapStack-prod' }));
    await expect(stacks).rejects.toThrow(/does not exist/);
  });

  it('destroying prod needs --force, even with --yes', async () => {
    const r = await run('destroy', '--env', 'prod', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prod is protected');
    expect(r.stderr).toContain('--force');
  });

  it('a stack busy with another operation', async () => {
    // arrange: a stack whose custom resource never answers stays CREATE_IN_PROGRESS
    await createFunction(client(LambdaClient), 'never-answers', { 'index.mjs': 'export const handler = async () => { await new Promise(() => {}); };' }, { Timeout: 900 });
    await client(CloudFormationClient).send(new CreateStackCommand({
      StackName: 'TapStack-busy',
      TemplateBody: JSON.stringify({
        Resources: { Hang: { Type: 'Custom::Hang', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:never-answers' } } },
      }),
    }));
    // act
    const r = await run('deploy', '--env', 'busy');
    // assert
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TapStack-busy is busy (CREATE_IN_PROGRESS)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
