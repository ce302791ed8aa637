/**
 * IAM users and access keys on the local AWS, through the real SDK (@aws-sdk/client-iam): AWS's
 * shapes, limits and error codes; then the keys as credentials: API Gateway's AWS_IAM and S3's
 * presigned URLs accept an Active key and refuse it once Inactive or deleted; the keys survive a
 * restart; CloudFormation's AWS::IAM::User and AWS::IAM::AccessKey make working keys.
 */
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetch } from '../../src/ops/signed-fetch.js';
import { createStack, deleteStack, output, updateStack } from '../helpers/cloudformation.js';
import { createFunction } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

const WHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.identity) });`;

let local: LocalHarness;
let iam: IAMClient;
let statusUrl: string;

beforeAll(async () => {
  local = await startLocal();
  iam = new IAMClient({ ...local.clientConfig, maxAttempts: 1 });
  // Arrange: one AWS_IAM method, GET /status, answering the caller's identity.
  const lambda = new LambdaClient(local.clientConfig);
  const fn = await createFunction(lambda, 'who', { 'index.mjs': WHO });
  lambda.destroy();
  const gateway = new APIGatewayClient(local.clientConfig);
  const api = await gateway.send(new CreateRestApiCommand({ name: 'partners' }));
  const root = (await gateway.send(new GetResourcesCommand({ restApiId: api.id! }))).items!.find((r) => r.path === '/')!;
  const status = await gateway.send(new CreateResourceCommand({ restApiId: api.id!, parentId: root.id!, pathPart: 'status' }));
  await gateway.send(new PutMethodCommand({ restApiId: api.id!, resourceId: status.id!, httpMethod: 'GET', authorizationType: 'AWS_IAM' }));
  await gateway.send(new PutIntegrationCommand({
    restApiId: api.id!, resourceId: status.id!, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST',
    uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations`,
  }));
  await gateway.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'v1' }));
  gateway.destroy();
  statusUrl = `${local.endpoint}/_aws/execute-api/${api.id}/v1/status`;
}, 60_000);
afterAll(async () => {
  iam.destroy();
  await local.stop();
});

type Keys = { accessKeyId: string; secretAccessKey: string };
const getStatus = (credentials: Keys) => signedFetch({ url: statusUrl, region: 'us-east-1', credentials });
const keysOf = (k: { AccessKeyId?: string; SecretAccessKey?: string }): Keys => ({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });

describe('users and access keys, as IAM answers them', () => {
  it('creates a user; a second one with the same name in another case is EntityAlreadyExists', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'acme', Tags: [{ Key: 'partner', Value: 'yes' }] }));
    expect(User).toMatchObject({ UserName: 'acme', Path: '/', Arn: 'arn:aws:iam::000000000000:user/acme', Tags: [{ Key: 'partner', Value: 'yes' }] });
    expect(User!.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(User!.CreateDate).toBeInstanceOf(Date);
    await expect(iam.send(new CreateUserCommand({ UserName: 'ACME' }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException', $metadata: { httpStatusCode: 409 } });
    await expect(iam.send(new CreateUserCommand({ UserName: 'no spaces' }))).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await iam.send(new GetUserCommand({ UserName: 'acme' }))).User?.UserId).toBe(User!.UserId);
    expect((await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain('acme');
  });

  it('makes keys AWS-shaped, at most two per user, and lists them without secrets', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two-keys' }));
    const first = (await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).AccessKey!;
    expect(first).toMatchObject({ UserName: 'two-keys', Status: 'Active' });
    expect(first.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const second = (await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).AccessKey!;
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      $metadata: { httpStatusCode: 409 },
    });
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'two-keys' }));
    expect(listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status])).toEqual([[first.AccessKeyId, 'Active'], [second.AccessKeyId, 'Active']]);
    expect(JSON.stringify(listed)).not.toContain(first.SecretAccessKey);
    // An Inactive key still counts towards the quota, as on AWS.
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'two-keys', AccessKeyId: first.AccessKeyId, Status: 'Inactive' }));
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).rejects.toMatchObject({ name: 'LimitExceededException' });
  });

  it('answers NoSuchEntity for an unknown user or key, ValidationError for a bad status, DeleteConflict for a user with keys', async () => {
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name nobody cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(iam.send(new ListAccessKeysCommand({ UserName: 'nobody' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await iam.send(new CreateUserCommand({ UserName: 'other' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'other' }))).AccessKey!;
    // Another user's key is not found through this user.
    await expect(iam.send(new UpdateAccessKeyCommand({ UserName: 'acme', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `The Access Key with id ${key.AccessKeyId} cannot be found.`,
    });
    await expect(iam.send(new UpdateAccessKeyCommand({ UserName: 'other', AccessKeyId: key.AccessKeyId, Status: 'Expired' as 'Active' }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(iam.send(new DeleteUserCommand({ UserName: 'other' }))).rejects.toMatchObject({ name: 'DeleteConflictException', $metadata: { httpStatusCode: 409 } });
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'other', AccessKeyId: key.AccessKeyId }));
    await expect(iam.send(new DeleteAccessKeyCommand({ UserName: 'other', AccessKeyId: key.AccessKeyId }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await iam.send(new DeleteUserCommand({ UserName: 'other' }));
    await expect(iam.send(new GetUserCommand({ UserName: 'other' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('acts on the signing user when UserName is left out, as AWS does', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'self-service' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'self-service' }))).AccessKey!;
    const asUser = new IAMClient({ ...local.clientConfig, credentials: keysOf(key), maxAttempts: 1 });
    const rotated = (await asUser.send(new CreateAccessKeyCommand({}))).AccessKey!;
    expect(rotated.UserName).toBe('self-service');
    const me = (await asUser.send(new GetUserCommand({}))).User!;
    expect(me.UserName).toBe('self-service');
    asUser.destroy();
    const sts = new STSClient({ ...local.clientConfig, credentials: keysOf(key) });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Arn: me.Arn, UserId: me.UserId, Account: '000000000000' });
    sts.destroy();
    // The built-in test key stands for no IAM user: the call must name one.
    await expect(iam.send(new CreateAccessKeyCommand({}))).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/pass UserName/) });
  });
});

describe('IAM keys as credentials', () => {
  it('API Gateway accepts an Active key (caller = the user), refuses it Inactive and deleted with 403, and GetAccessKeyLastUsed tells', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'partner-a' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'partner-a' }))).AccessKey!;
    expect((await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }))).AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });

    const ok = await getStatus(keysOf(key));
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ accessKey: key.AccessKeyId, user: 'partner-a', userArn: 'arn:aws:iam::000000000000:user/partner-a' });
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    expect(used.UserName).toBe('partner-a');
    expect(used.AccessKeyLastUsed).toMatchObject({ ServiceName: 'execute-api', Region: 'us-east-1', LastUsedDate: expect.any(Date) });

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'partner-a', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    const inactive = await getStatus(keysOf(key));
    expect([inactive.status, inactive.headers.get('x-amzn-errortype'), JSON.parse(inactive.text)]).toEqual([
      403,
      'UnrecognizedClientException',
      { message: 'The security token included in the request is invalid.' },
    ]);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'partner-a', AccessKeyId: key.AccessKeyId, Status: 'Active' }));
    expect((await getStatus(keysOf(key))).status).toBe(200);

    // A wrong secret for a real key id is a signature mismatch, not an unknown key.
    const wrong = await getStatus({ accessKeyId: key.AccessKeyId!, secretAccessKey: 'x'.repeat(40) });
    expect([wrong.status, wrong.headers.get('x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);

    await iam.send(new DeleteAccessKeyCommand({ UserName: 'partner-a', AccessKeyId: key.AccessKeyId }));
    const deleted = await getStatus(keysOf(key));
    expect([deleted.status, deleted.headers.get('x-amzn-errortype')]).toEqual([403, 'UnrecognizedClientException']);
  });

  it('S3 accepts a URL presigned with an Active key and answers InvalidAccessKeyId once it is Inactive', async () => {
    const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: 'partner-drop' }));
    await s3.send(new PutObjectCommand({ Bucket: 'partner-drop', Key: 'hello.txt', Body: 'hello' }));
    await iam.send(new CreateUserCommand({ UserName: 'partner-s3' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'partner-s3' }))).AccessKey!;
    const asPartner = new S3Client({ ...local.clientConfig, credentials: keysOf(key), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const url = await getSignedUrl(asPartner, new GetObjectCommand({ Bucket: 'partner-drop', Key: 'hello.txt' }), { expiresIn: 60 });
    expect(await (await fetch(url)).text()).toBe('hello');
    expect((await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }))).AccessKeyLastUsed?.ServiceName).toBe('s3');

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'partner-s3', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    const refused = await fetch(url);
    const body = await refused.text();
    expect([refused.status, /<Code>([^<]+)<\/Code>/.exec(body)?.[1]]).toEqual([403, 'InvalidAccessKeyId']);
    asPartner.destroy();
    s3.destroy();
  });

  it('keeps users and keys across a restart of the local AWS', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'durable' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'durable' }))).AccessKey!;
    await local.stop();
    local = await startLocal({ dataDir: local.dataDir });
    iam.destroy();
    iam = new IAMClient({ ...local.clientConfig, maxAttempts: 1 });
    statusUrl = statusUrl.replace(/^http:\/\/[^/]+/, local.endpoint);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'durable' }))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([key.AccessKeyId]);
    expect((await getStatus(keysOf(key))).status).toBe(200);
  }, 60_000);
});

describe('CloudFormation', () => {
  it('AWS::IAM::User and AWS::IAM::AccessKey: Ref is the key id, GetAtt SecretAccessKey signs; Status updates; delete removes both', async () => {
    const cfn = new CloudFormationClient(local.clientConfig);
    const template = (status: string) => ({
      Resources: {
        Partner: { Type: 'AWS::IAM::User', Properties: { Tags: [{ Key: 'team', Value: 'partners' }] } },
        PartnerKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Partner' }, Status: status } },
      },
      Outputs: {
        User: { Value: { Ref: 'Partner' } },
        UserArn: { Value: { 'Fn::GetAtt': ['Partner', 'Arn'] } },
        KeyId: { Value: { Ref: 'PartnerKey' } },
        Secret: { Value: { 'Fn::GetAtt': ['PartnerKey', 'SecretAccessKey'] } },
      },
    });
    const stack = await createStack(cfn, 'partner-keys', template('Active'));
    const [user, keyId, secret] = [output(stack, 'User')!, output(stack, 'KeyId')!, output(stack, 'Secret')!];
    expect(user).toMatch(/^partner-keys-Partner-/);
    expect(output(stack, 'UserArn')).toBe(`arn:aws:iam::000000000000:user/${user}`);
    expect(keyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([keyId]);
    expect((await getStatus({ accessKeyId: keyId, secretAccessKey: secret })).status).toBe(200);

    await updateStack(cfn, 'partner-keys', template('Inactive'));
    expect((await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.[0]).toMatchObject({ AccessKeyId: keyId, Status: 'Inactive' });
    expect((await getStatus({ accessKeyId: keyId, secretAccessKey: secret })).status).toBe(403);

    await deleteStack(cfn, 'partner-keys');
    await expect(iam.send(new GetUserCommand({ UserName: user }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect((await getStatus({ accessKeyId: keyId, secretAccessKey: secret })).status).toBe(403);
    cfn.destroy();
  }, 60_000);
});
