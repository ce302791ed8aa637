import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, PutItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { runTap } from '../helpers/cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tap-e2e-local-'));
const tap = (...args: string[]) => runTap(['local', ...args, '--data-dir', dataDir]);
const client = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

afterAll(async () => {
  await tap('stop');
});

describe('tap local (the real binary)', () => {
  it('start, status, kill -9, start again with nothing lost, reset, stop', async () => {
    // arrange: nothing is running for a fresh data dir
    const before = await tap('status', '--json');
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout)).toMatchObject({ running: false });

    // act: start in the background on a free port
    const started = await tap('start', '--port', '0', '--json');
    expect(started.code, started.stderr).toBe(0);
    const { info } = JSON.parse(started.stdout);
    expect(info.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // a second start finds the running one
    const again = await tap('start', '--port', '0', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyRunning: true, info: { pid: info.pid } });

    const status = await tap('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, info: { pid: info.pid } });
    // what it takes: disk per service folder and the server's memory
    const { usage } = JSON.parse(status.stdout);
    expect(usage.disk.total).toBeGreaterThan(0);
    expect(usage.disk).toHaveProperty('dynamodb');
    expect(usage.memory.rss).toBeGreaterThan(1024 * 1024);
    expect((await tap('status')).stdout).toMatch(/\n  disk: .+ \(.*dynamodb [\d.]+ (B|KiB|MiB)/);

    // state written through the endpoint survives kill -9
    const ddb = client(info.endpoint);
    await ddb.send(new CreateTableCommand({
      TableName: 'survivor',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await ddb.send(new PutItemCommand({ TableName: 'survivor', Item: { id: { S: '1' } } }));
    process.kill(info.pid, 'SIGKILL');
    const dead = await tap('status', '--json');
    expect(dead.code).toBe(1);
    expect(JSON.parse(dead.stdout).stale).toMatchObject({ pid: info.pid });
    expect(JSON.parse(dead.stdout).usage.disk.dynamodb).toBeGreaterThan(0); // measured on disk when not running

    const restarted = await tap('start', '--port', '0', '--allow-origin', 'https://app.test:3000', '--json');
    expect(restarted.code, restarted.stderr).toBe(0);
    const endpoint = JSON.parse(restarted.stdout).info.endpoint;
    // the allowed origin reached the detached server: its pages get CORS answers, others a 403
    const preflight = (origin: string) =>
      fetch(`${endpoint}/`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } });
    expect((await preflight('https://app.test:3000')).headers.get('access-control-allow-origin')).toBe('https://app.test:3000');
    expect((await preflight('https://other.test')).status).toBe(403);
    const item = await client(endpoint).send(new GetItemCommand({ TableName: 'survivor', Key: { id: { S: '1' } } }));
    expect(item.Item).toEqual({ id: { S: '1' } });

    // reset empties it while running
    expect((await tap('reset')).code).toBe(0);
    expect((await client(endpoint).send(new ListTablesCommand({}))).TableNames).toEqual([]);

    // assert: stop stops it
    const stopped = await tap('stop', '--json');
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stopped: true });
    expect((await tap('status')).code).toBe(1);
  });

  it('says what to do when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = String((blocker.address() as { port: number }).port);
    try {
      const run = await runTap(['local', 'start', '--port', port, '--data-dir', mkdtempSync(join(tmpdir(), 'tap-port-'))]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} is already in use`);
      expect(run.stderr).toContain('TAP_LOCAL_PORT');
    } finally {
      blocker.close();
    }
  });

  it('refuses a bad port with a clear message and exit code 2', async () => {
    const run = await tap('start', '--port', 'lots');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port must be a number');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
