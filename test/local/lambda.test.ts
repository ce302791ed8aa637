import { createHash } from 'node:crypto';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, eventually, text, zipOf } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  lambda = new LambdaClient({ ...local.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(local.clientConfig);
});
afterAll(() => local.stop());

const invoke = async (name: string, payload: unknown = {}, extra: Record<string, unknown> = {}) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
  return { ...out, body: text(out.Payload) };
};

const COUNTER = `let count = 0;
export const handler = async (event, context) => {
  count++;
  console.log('invoked', count);
  return { count, event, requestId: context.awsRequestId };
};`;

describe('functions and invocations', () => {
  it('creates an ESM function from a zip and invokes it, reusing the warm worker', async () => {
    const zip = zipOf({ 'index.mjs': COUNTER });
    const created = await createFunction(lambda, 'esm', { 'index.mjs': COUNTER });
    expect(created).toMatchObject({
      FunctionName: 'esm',
      FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:esm',
      State: 'Pending',
      Version: '$LATEST',
      Runtime: 'nodejs22.x',
      MemorySize: 128,
      Timeout: 5,
      PackageType: 'Zip',
      CodeSha256: createHash('sha256').update(zip).digest('base64'),
      CodeSize: zip.length,
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/esm' },
    });
    const first = await invoke('esm', { a: 1 });
    expect(first.StatusCode).toBe(200);
    expect(first.FunctionError).toBeUndefined();
    expect(first.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(first.body)).toMatchObject({ count: 1, event: { a: 1 } });
    const second = JSON.parse((await invoke('esm')).body);
    const third = JSON.parse((await invoke('esm')).body);
    expect([second.count, third.count]).toEqual([2, 3]);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'esm' }))).State).toBe('Active');
  });

  it('runs CommonJS and callback-style handlers, and .js files in a type:module package', async () => {
    await createFunction(lambda, 'cjs', {
      'index.js': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { kind: typeof require, v: event.v }), 5); };`,
    });
    expect(JSON.parse((await invoke('cjs', { v: 7 })).body)).toEqual({ kind: 'function', v: 7 });
    await createFunction(lambda, 'typed', {
      'package.json': '{"type":"module"}',
      'src/app.js': `export const main = { run: async () => import.meta.url.endsWith('/src/app.js') };`,
    }, { Handler: 'src/app.main.run' });
    expect((await invoke('typed')).body).toBe('true');
  });

  it('gives the function its environment and context', async () => {
    await createFunction(lambda, 'env', {
      'index.mjs': `export const handler = async (event, context) => ({
        env: Object.fromEntries(['AWS_REGION','AWS_DEFAULT_REGION','AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_SESSION_TOKEN',
          'AWS_ENDPOINT_URL','AWS_LAMBDA_FUNCTION_NAME','AWS_LAMBDA_FUNCTION_VERSION','AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
          'AWS_LAMBDA_LOG_GROUP_NAME','AWS_LAMBDA_LOG_STREAM_NAME','AWS_LAMBDA_LOG_FORMAT','LAMBDA_TASK_ROOT','_HANDLER',
          'AWS_EXECUTION_ENV','TZ','GREETING'].map((k) => [k, process.env[k]])),
        cwd: process.cwd(),
        heap: (await import('node:v8')).getHeapStatistics().heap_size_limit,
        context: { functionName: context.functionName, functionVersion: context.functionVersion,
          invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
          logGroupName: context.logGroupName, logStreamName: context.logStreamName,
          remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop },
      });`,
    }, { MemorySize: 256, Environment: { Variables: { GREETING: 'hi' } } });
    const out = JSON.parse((await invoke('env')).body);
    expect(out.env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: local.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'env',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env',
      AWS_LAMBDA_LOG_FORMAT: 'Text',
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      TZ: ':UTC',
      GREETING: 'hi',
    });
    expect(out.env.AWS_ACCESS_KEY_ID && out.env.AWS_SECRET_ACCESS_KEY && out.env.AWS_SESSION_TOKEN).toBeTruthy();
    expect(out.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(out.cwd).toBe(out.env.LAMBDA_TASK_ROOT);
    expect(out.heap).toBeLessThan(400 * 1024 * 1024);
    expect(out.context).toMatchObject({
      functionName: 'env',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:env',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/env',
      logStreamName: out.env.AWS_LAMBDA_LOG_STREAM_NAME,
      waits: true,
    });
    expect(out.context.remaining).toBeGreaterThan(4000);
    expect(out.context.remaining).toBeLessThanOrEqual(5000);
  });

  it('reports an unhandled error as AWS does: 200, X-Amz-Function-Error and the error document', async () => {
    await createFunction(lambda, 'fails', { 'index.mjs': `export const handler = async () => { throw new TypeError('boom'); };` });
    const out = await invoke('fails');
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const error = JSON.parse(out.body);
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(error.trace[0]).toBe('TypeError: boom');
  });

  it('fails the invocation on an unhandled rejection or an exit, then starts a fresh worker', async () => {
    await createFunction(lambda, 'crashy', {
      'index.mjs': `let n = 0; export const handler = async (e) => {
        n++;
        if (e.reject) { Promise.reject(new Error('later')); await new Promise((r) => setTimeout(r, 100)); }
        if (e.exit) process.exit(3);
        return n; };`,
    });
    const rejected = await invoke('crashy', { reject: true });
    expect(rejected.FunctionError).toBe('Unhandled');
    expect(JSON.parse(rejected.body)).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: later' });
    expect((await invoke('crashy')).body).toBe('1');
    const exited = await invoke('crashy', { exit: true });
    expect(JSON.parse(exited.body)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exited.$metadata.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect((await invoke('crashy')).body).toBe('1');
  });

  it('reports a missing handler module as Runtime.ImportModuleError', async () => {
    await createFunction(lambda, 'nomodule', { 'other.mjs': 'export const x = 1;' });
    const out = await invoke('nomodule');
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(out.body)).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    expect(JSON.parse(out.body).errorMessage).toMatch(/Cannot find module 'index'/);
  });

  it('times out as AWS reports it, and the next invocation gets a fresh worker', async () => {
    await createFunction(lambda, 'slow', {
      'index.mjs': `let n = 0; export const handler = async (e) => { n++; if (e.wait) await new Promise((r) => setTimeout(r, 10_000)); return n; };`,
    }, { Timeout: 1 });
    const started = Date.now();
    const out = await invoke('slow', { wait: true }, { LogType: 'Tail' });
    expect(Date.now() - started).toBeLessThan(9000); // well under the 10 s the handler would wait; cold starts under load are slow
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(out.body)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(tail).toMatch(/Task timed out after 1\.00 seconds/);
    expect(tail).toMatch(/Status: timeout/);
    expect((await invoke('slow')).body).toBe('1');
  });

  it('returns the last 4 KB of the log with LogType Tail, and writes START/END/REPORT to the log group', async () => {
    await createFunction(lambda, 'chatty', {
      'index.mjs': `export const handler = async () => { console.log('x'.repeat(3000)); console.warn('multi\\nline'); process.stdout.write('raw line\\n'); return 1; };`,
    });
    const out = await invoke('chatty', {}, { LogType: 'Tail' });
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4096);
    expect(tail).toMatch(/WARN\tmulti\nline/);
    expect(tail).toMatch(/raw line\nEND RequestId: /);
    expect(tail).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t/);
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty' }))).events ?? [];
    const messages = events.map((e) => e.message!);
    const id = out.$metadata.requestId;
    expect(messages[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(messages).toContain(`END RequestId: ${id}`);
    expect(messages.some((m) => m.startsWith(`REPORT RequestId: ${id}\tDuration:`) && m.includes('Init Duration:'))).toBe(true);
    expect(messages.find((m) => m.includes('\tINFO\t'))).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\txxx`));
    expect(events.every((e) => e.logStreamName === events[0]!.logStreamName)).toBe(true);
  });

  it('writes JSON logs with LogFormat JSON: app lines wrapped or passed through, platform records, level filtering', async () => {
    await createFunction(lambda, 'jsonlogs', {
      'index.mjs': `export const handler = async () => {
        console.info('plain', 1); console.debug('hidden');
        process.stdout.write(JSON.stringify({ level: 'WARN', message: 'from powertools', service: 'tap' }) + '\\n');
        process.stdout.write(JSON.stringify({ level: 'DEBUG', message: 'dropped' }) + '\\n');
        return process.env.AWS_LAMBDA_LOG_LEVEL; };`,
    }, { LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO', LogGroup: '/custom/json' } });
    const out = await invoke('jsonlogs');
    expect(out.body).toBe('"INFO"');
    const messages = ((await logs.send(new FilterLogEventsCommand({ logGroupName: '/custom/json' }))).events ?? []).map((e) => JSON.parse(e.message!));
    const id = out.$metadata.requestId;
    expect(messages.map((m) => m.type ?? m.message)).toEqual(['platform.start', 'plain 1', 'from powertools', 'platform.report']);
    expect(messages[0]).toMatchObject({ record: { requestId: id, version: '$LATEST' } });
    expect(messages[1]).toMatchObject({ level: 'INFO', requestId: id });
    expect(messages[1].timestamp).toMatch(/Z$/);
    expect(messages[2]).toEqual({ level: 'WARN', message: 'from powertools', service: 'tap' });
    expect(messages[3].record).toMatchObject({ requestId: id, status: 'success', metrics: { memorySizeMB: 128 } });
  });

  it('lets the function call the local AWS with an SDK client using only its environment', async () => {
    const bundle = await build({
      stdin: {
        contents: `import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
          export const handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Account;`,
        resolveDir: process.cwd(),
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    await createFunction(lambda, 'sdk', { 'index.mjs': bundle.outputFiles[0]!.contents }, { Timeout: 20 });
    const out = await invoke('sdk');
    expect(out.FunctionError).toBeUndefined();
    expect(out.body).toBe('"000000000000"');
  });

  it('recycles workers when the code or the configuration changes', async () => {
    await createFunction(lambda, 'changing', { 'index.mjs': COUNTER });
    await invoke('changing');
    expect(JSON.parse((await invoke('changing')).body).count).toBe(2);
    await lambda.send(new UpdateFunctionCodeCommand({
      FunctionName: 'changing',
      ZipFile: zipOf({ 'index.mjs': `let n = 100; export const handler = async () => ({ count: ++n, v: process.env.VER ?? null });` }),
    }));
    expect(JSON.parse((await invoke('changing')).body)).toEqual({ count: 101, v: null });
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'changing', Environment: { Variables: { VER: 'two' } }, Timeout: 9 }));
    expect(updated).toMatchObject({ Timeout: 9, Environment: { Variables: { VER: 'two' } }, LastUpdateStatus: 'InProgress' });
    expect(JSON.parse((await invoke('changing')).body)).toEqual({ count: 101, v: 'two' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'changing' }));
    expect(got.Configuration?.LastUpdateStatus).toBe('Successful');
    const zip = await (await fetch(got.Code!.Location!)).arrayBuffer();
    expect(createHash('sha256').update(Buffer.from(zip)).digest('base64')).toBe(got.Configuration?.CodeSha256);
  });

  it('accepts other runtimes but explains at Invoke that only Node.js runs locally', async () => {
    await createFunction(lambda, 'py', { 'index.py': 'def handler(e, c): return 1' }, { Runtime: 'python3.12', Handler: 'index.handler' });
    await expect(invoke('py')).rejects.toMatchObject({
      name: 'InvalidRuntimeException',
      message: expect.stringMatching(/Node\.js functions only.*python3\.12/),
    });
  });

  it('answers DryRun with 204 and Event with 202, running the event in the background', async () => {
    await createFunction(lambda, 'bg', { 'index.mjs': `export const handler = async (e) => { console.log('background', e.marker); };` });
    expect((await invoke('bg', {}, { InvocationType: 'DryRun' })).StatusCode).toBe(204);
    const accepted = await invoke('bg', { marker: 'm-42' }, { InvocationType: 'Event' });
    expect(accepted.StatusCode).toBe(202);
    await eventually(async () => {
      const found = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/bg', filterPattern: 'm-42' })).catch(() => undefined);
      return found?.events?.length ? true : undefined;
    });
  });

  it('validates inputs with AWS error codes', async () => {
    await expect(createFunction(lambda, 'esm', { 'index.mjs': COUNTER })).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await expect(createFunction(lambda, 'old', { 'index.js': '' }, { Runtime: 'nodejs16.x' })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(createFunction(lambda, 'reserved', { 'index.js': '' }, { Environment: { Variables: { AWS_REGION: 'x' } } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('Reserved keys used in this request: AWS_REGION'),
    });
    await expect(createFunction(lambda, 'big', { 'index.js': '' }, { Timeout: 901 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'esm', Payload: Buffer.from('{nope') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
    await expect(invoke('missing')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:missing',
    });
    await expect(invoke('esm', {}, { Qualifier: '3' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lambda.send(new PublishVersionCommand({ FunctionName: 'esm' }))).rejects.toMatchObject({ name: 'NotImplemented' });
  });

  it('lists and deletes functions', async () => {
    const page1 = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(page1.Functions).toHaveLength(2);
    const page2 = await lambda.send(new ListFunctionsCommand({ Marker: page1.NextMarker }));
    const names = [...page1.Functions!, ...page2.Functions!].map((f) => f.FunctionName);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('esm');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:esm' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'esm' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
