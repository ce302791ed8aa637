import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { ADMIN_HEADERS } from '../../src/local/admin.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
});
afterAll(() => local.stop());

describe('the local endpoint', () => {
  it('answers STS GetCallerIdentity with the local account for any credentials', async () => {
    const sts = new STSClient(local.clientConfig);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('000000000000');
    expect(me.Arn).toMatch(/^arn:aws:iam::000000000000:/);
  });

  it('serves DynamoDB through dynalite', async () => {
    const ddb = new DynamoDBClient(local.clientConfig);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'things',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, n: { N: '1' } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    expect(got.Item).toEqual({ id: { S: 'a' }, n: { N: '1' } });
  });

  it('reports a missing table as the named SDK error', async () => {
    const ddb = new DynamoDBClient(local.clientConfig);
    await expect(ddb.send(new GetItemCommand({ TableName: 'nope', Key: { id: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('injects a throttling fault, then recovers', async () => {
    const ddb = new DynamoDBClient({ ...local.clientConfig, maxAttempts: 1 });
    await injectFault(local.endpoint, {
      service: 'dynamodb',
      operation: 'GetItem',
      code: 'ProvisionedThroughputExceededException',
      remaining: 1,
    });
    const get = () => ddb.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    await expect(get()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    await expect(get()).resolves.toMatchObject({ Item: { id: { S: 'a' } } });
  });

  it('answers an unknown service with an AWS-shaped error, not a hang or an HTML page', async () => {
    const res = await fetch(local.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticbeanstalk/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'Action=DescribeApplications',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<Code>UnrecognizedClientException<\/Code>/);
  });

  it('reports its health', async () => {
    const health = (await (await fetch(`${local.endpoint}/_tap/health`, { headers: ADMIN_HEADERS })).json()) as { services: string[] };
    expect(health).toMatchObject({ status: 'ok', endpoint: local.endpoint });
    expect(health.services).toEqual(expect.arrayContaining(['dynamodb', 'sts']));
  });
});
