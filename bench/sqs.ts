/**
 * Throughput of the local SQS through the real SDK client, against an in-process server as tests start
 * it (a fresh data dir, a free port; persistence on): SendMessage ops/s one at a time and 16 in flight,
 * send → receive → delete round trips/s, and the store alone (SqsApi.sendByArn, no HTTP) to show what
 * the journal costs. Median of 5 runs, each on a fresh queue.
 *   npx tsx bench/sqs.ts [--runs 5] [--messages 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { LocalAws } from '../src/local/server.js';
import type { LocalContext } from '../src/local/service.js';
import type { SqsApi } from '../src/local/services/contracts.js';
import { sqsService } from '../src/local/services/sqs/service.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, messages: { type: 'string', default: '2000' } } });
const runs = Number(values.runs);
const messages = Number(values.messages);

const dataDir = mkdtempSync(join(tmpdir(), 'tap-bench-sqs-'));
let ctx: LocalContext | undefined;
const probe = (c: LocalContext) => ((ctx = c), { name: 'probe', handle: async () => undefined, sendError: () => undefined });
const aws = await new LocalAws({ dataDir, port: 0, services: [sqsService, probe] }).start();
const api = ctx!.service<SqsApi>('sqs');
const sqs = new SQSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
const body = JSON.stringify({ shipmentId: 'S-000123', status: 'DELIVERED', at: new Date().toISOString(), padding: 'x'.repeat(200) });

let queues = 0;
async function freshQueue(): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${++queues}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Runs `count` operations with `concurrency` in flight; returns ops/s. */
async function rate(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await op(next++);
  }));
  return count / ((performance.now() - started) / 1000);
}

const benchmarks: Array<[string, () => Promise<number>]> = [
  ['SendMessage (SDK, 1 in flight)', async () => {
    const q = await freshQueue();
    return rate(messages, 1, () => sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body })));
  }],
  ['SendMessage (SDK, 16 in flight)', async () => {
    const q = await freshQueue();
    return rate(messages, 16, () => sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body })));
  }],
  ['send+receive+delete (SDK, 1 in flight)', async () => {
    const q = await freshQueue();
    return rate(messages / 2, 1, async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: Messages![0]!.ReceiptHandle }));
    });
  }],
  ['send+receive+delete (SDK, 16 in flight)', async () => {
    const q = await freshQueue();
    return rate(messages / 2, 16, async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }));
      for (const m of Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle }));
    });
  }],
  ['sendByArn (store + journal, no HTTP)', async () => {
    const q = await freshQueue();
    return rate(messages * 10, 1, () => api.sendByArn(q.arn, body));
  }],
];

await rate(200, 4, () => sqs.send(new CreateQueueCommand({ QueueName: 'warmup' }))); // JIT, keep-alive sockets
console.log(`local SQS, ${runs} runs, ${messages} messages per SDK run (body ${body.length} B), node ${process.version}`);
for (const [name, run] of benchmarks) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run());
  const fmt = (n: number) => `${n.toFixed(0)} ops/s`.padStart(13);
  console.log(`${name.padEnd(40)} median ${fmt(median(samples))}  min ${fmt(Math.min(...samples))}  max ${fmt(Math.max(...samples))}`);
}
sqs.destroy();
await aws.stop();
rmSync(dataDir, { recursive: true, force: true });
