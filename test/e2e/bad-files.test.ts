/**
 * Files a real partner sends, through the real `bin/tap` and a pipeline deployed with `tap deploy` on
 * the local AWS: a file that can never succeed is FAILED at once with its reason (no retries, the
 * DLQ stays empty); one bad line of a line-based file is one rejected record.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsed, tapWorkspace } from '../helpers/cli.js';

const { cwd, tap, stop } = tapWorkspace('bad-files', { env: 'bad' });
let outputs: Record<string, string> = {};
let endpoint = '';

function file(name: string, body: string | Buffer): string {
  const path = join(cwd, name);
  writeFileSync(path, body);
  return path;
}

async function dlqDepth(): Promise<number> {
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: outputs.DeadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

const good = (id: string) => `{"shipment_id":"${id}","status":"IN_TRANSIT","timestamp":"2026-01-05T10:00:00Z"}`;

beforeAll(async () => {
  const deployed = await tap('deploy', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  ({ outputs } = parsed(deployed));
  endpoint = parsed(deployed).target.endpoint;
}, 120_000);

afterAll(async () => {
  await stop();
});

describe('bad files with the real binary', () => {
  it.each([
    ['quote.csv', 'shipment_id,status,timestamp\nSH1,12" box,2026-01-05T10:00:00Z\nSH2,=HYPERLINK("x"),2026-01-05T10:00:00Z\n', /malformed CSV: Invalid Opening Quote: .* at line 2/],
    ['deep.json', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, /JSON nested deeper than 256 levels at line 1/],
    ['no-id.csv', 'id,status,timestamp\nSH1,CREATED,2026-01-05T10:00:00Z\n', /lacks the required column shipment_id/],
  ])('%s: FAILED within seconds, reason given, exit 1, nothing dead-lettered', async (name, body, reason) => {
    const started = Date.now();
    const r = await tap('upload', file(name, body), '--wait', '--timeout', '60', '--json');
    expect(r.code).toBe(1);
    expect(parsed(r).outcomes[0]).toMatchObject({ outcome: 'FAILED', run: expect.objectContaining({ status: 'FAILED', error: expect.stringMatching(reason) }) });
    // A retried message would come back only after the visibility timeout (minutes); this is one attempt.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await dlqDepth()).toBe(0);
  });

  it('NDJSON: an invalid-UTF-8 line, a 2 MiB line, 1e200 and a 40-deep record are rejected; the rest is processed', async () => {
    const lines = [
      good('E1'),
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      `{"blob":"${'x'.repeat(2 * 1024 * 1024)}"}`,
      `{"shipment_id":"E2","status":"X","timestamp":"2026-01-05T10:00:00Z","n":1e200}`,
      `{"shipment_id":"E3","status":"X","timestamp":"2026-01-05T10:00:00Z","d":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`,
      good('E4'),
    ];
    const body = Buffer.concat(lines.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
    const r = await tap('upload', file('mixed.ndjson', body), '--wait', '--timeout', '60', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parsed(r).outcomes[0]).toMatchObject({ outcome: 'SUCCESS', run: expect.objectContaining({ recordsProcessed: 2, recordsRejected: 4 }) });
    expect(await dlqDepth()).toBe(0);
  });
});
