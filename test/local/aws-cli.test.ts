/**
 * Another real client than the JS SDK: the AWS CLI (botocore), when it is installed. Without it the
 * test is skipped, visibly.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';

const hasAws = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const run = promisify(execFile);

let local: LocalHarness;
beforeAll(async () => {
  if (hasAws) local = await startLocal();
});
afterAll(() => local?.stop());

describe.skipIf(!hasAws)(`the AWS CLI against the local AWS${hasAws ? '' : ' (skipped: `aws` is not installed)'}`, () => {
  const aws = (...args: string[]) =>
    run('aws', ['--endpoint-url', local.endpoint, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'buffer',
    });

  it('copies files up and down with `aws s3 cp` (multipart above 8 MB), lists and removes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-s3-cli-'));
    const big = randomBytes(10 * 1024 * 1024 + 3);
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'small.txt'), 'hello from the cli\n');

    await aws('s3', 'mb', 's3://cli-bucket');
    await aws('s3', 'cp', '--no-progress', join(dir, 'big.bin'), 's3://cli-bucket/big.bin');
    await aws('s3', 'cp', join(dir, 'small.txt'), 's3://cli-bucket/dir/small file+1.txt');
    const listing = (await aws('s3', 'ls', '--recursive', 's3://cli-bucket')).stdout.toString();
    expect(listing).toMatch(/10485763 big\.bin/);
    expect(listing).toMatch(/19 dir\/small file\+1\.txt/);

    await aws('s3', 'cp', '--no-progress', 's3://cli-bucket/big.bin', join(dir, 'big.out'));
    expect(readFileSync(join(dir, 'big.out')).equals(big)).toBe(true);
    expect((await aws('s3', 'cp', 's3://cli-bucket/dir/small file+1.txt', '-')).stdout.toString()).toBe('hello from the cli\n');

    await aws('s3', 'rb', '--force', 's3://cli-bucket');
    await expect(aws('s3api', 'head-bucket', '--bucket', 'cli-bucket')).rejects.toThrow(/404|Not Found/);
  });

  it('sends and receives an SQS message with `aws sqs`', async () => {
    const json = async (...args: string[]) => JSON.parse((await aws(...args, '--output', 'json')).stdout.toString());
    const { QueueUrl } = await json('sqs', 'create-queue', '--queue-name', 'cli-queue');
    expect(QueueUrl).toBe(`${local.endpoint}/000000000000/cli-queue`);
    const sent = await json('sqs', 'send-message', '--queue-url', QueueUrl, '--message-body', 'hello, queue', '--message-attributes', 'kind={DataType=String,StringValue=greeting}');
    const received = await json('sqs', 'receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All', '--attribute-names', 'All', '--wait-time-seconds', '1');
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello, queue',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }),
    });
    await aws('sqs', 'delete-message', '--queue-url', QueueUrl, '--receipt-handle', received.Messages[0].ReceiptHandle);
    const attributes = await json('sqs', 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible');
    expect(attributes.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });
  it('reads a secret with `aws secretsmanager get-secret-value` (by name and by partial ARN)', async () => {
    const json = async (...args: string[]) => JSON.parse((await aws(...args, '--output', 'json')).stdout.toString());
    const created = await json('secretsmanager', 'create-secret', '--name', 'cli/webhook', '--secret-string', '{"signingKey":"k"}');
    expect(created.ARN).toMatch(/:secret:cli\/webhook-[A-Za-z0-9]{6}$/);
    for (const id of ['cli/webhook', created.ARN.slice(0, -7)]) {
      expect(await json('secretsmanager', 'get-secret-value', '--secret-id', id)).toMatchObject({ Name: 'cli/webhook', SecretString: '{"signingKey":"k"}', VersionStages: ['AWSCURRENT'] });
    }
    await expect(aws('secretsmanager', 'get-secret-value', '--secret-id', 'cli/missing')).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('lists executions with `aws stepfunctions list-executions`', async () => {
    const json = async (...args: string[]) => JSON.parse((await aws(...args, '--output', 'json')).stdout.toString());
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { stateMachineArn } = await json('stepfunctions', 'create-state-machine', '--name', 'cli-machine', '--definition', definition, '--role-arn', 'arn:aws:iam::000000000000:role/cli');
    const { executionArn } = await json('stepfunctions', 'start-execution', '--state-machine-arn', stateMachineArn, '--name', 'cli-run', '--input', '{"a":1}');
    let listed: { executions: Array<{ executionArn: string; status: string; name: string }> };
    do listed = await json('stepfunctions', 'list-executions', '--state-machine-arn', stateMachineArn);
    while (listed.executions[0]?.status === 'RUNNING');
    expect(listed.executions).toEqual([expect.objectContaining({ executionArn, name: 'cli-run', status: 'SUCCEEDED' })]);
    expect((await json('stepfunctions', 'list-executions', '--state-machine-arn', stateMachineArn, '--status-filter', 'FAILED')).executions).toEqual([]);
    const described = await json('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}' });
  });
});
