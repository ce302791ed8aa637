import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordedServer, type RunningServer } from '../../src/local/run.js';
import { ROLE, zipOf } from '../helpers/lambda.js';

let server: RunningServer | undefined;
let umask: number | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (umask !== undefined) process.umask(umask);
});

/** [path relative to root, mode] of everything below root. */
function modes(root: string, dir = root): Array<[string, string]> {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const st = statSync(path);
    const own: [string, string] = [relative(root, path), (st.mode & 0o777).toString(8)];
    return st.isDirectory() ? [own, ...modes(root, path)] : [own];
  });
}

describe('data dir permissions', () => {
  it('creates the data dir and its folders 0700 and its files 0600, even with umask 0, and tightens an existing data dir', async () => {
    umask = process.umask(0);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tap-modes-')), 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755); // as an older tap left it
    server = await startRecordedServer({ dataDir, port: 0 });
    const config = { endpoint: server.info.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'modes' }));
    await s3.send(new PutObjectCommand({ Bucket: 'modes', Key: 'k', Body: 'x' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'modes', Key: 'm' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'modes', Key: 'm', UploadId, PartNumber: 1, Body: 'part' }));
    await s3.send(new UploadPartCommand({ Bucket: 'modes', Key: 'pending', UploadId: (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'modes', Key: 'pending' }))).UploadId, PartNumber: 1, Body: 'p' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'modes', Key: 'm', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
    await new SSMClient(config).send(new PutParameterCommand({ Name: '/a/b', Value: 'v', Type: 'String' }));
    const logs = new CloudWatchLogsClient(config);
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'm' }] }));
    await new LambdaClient(config).send(new CreateFunctionCommand({
      FunctionName: 'fn', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler',
      Code: { ZipFile: zipOf({ 'index.mjs': 'export const handler = async () => 1;', 'lib/util.mjs': 'export {};' }) },
    }));

    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    const all = modes(dataDir);
    expect(all.length).toBeGreaterThan(15);
    expect(all.some(([p]) => p.startsWith('lambda/code/') && p.endsWith('util.mjs'))).toBe(true);
    // LevelDB (dynalite) creates its own files with the umask; its folder is 0700, which is what guards them.
    const wrong = all.filter(([path, mode]) => {
      if (path.startsWith('dynamodb/')) return false;
      return statSync(join(dataDir, path)).isDirectory() ? mode !== '700' : mode !== '600';
    });
    expect(wrong).toEqual([]);
    expect(all.find(([p]) => p === 'dynamodb')?.[1] ?? '700').toBe('700');
  });
});
