/**
 * tap's operations (upload --wait, status, dlq redrive, logs) on the whole pipeline on the local AWS,
 * with the real bundled processor behind S3 → SQS → Lambda. The resources are made through the service
 * APIs (test/helpers/ops-pipeline.ts) until the local CloudFormation lets `tap deploy` make them.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redrive } from '../../src/ops/dlq-redrive.js';
import type { LogLine } from '../../src/ops/log-lines.js';
import { logs } from '../../src/ops/logs.js';
import { status, type FileStatus } from '../../src/ops/status.js';
import { upload } from '../../src/ops/upload.js';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { createOpsPipeline, recordingReporter, type OpsPipeline } from '../helpers/ops-pipeline.js';
import { eventually } from '../helpers/pipeline.js';
import { ADMIN_HEADERS } from '../../src/local/admin.js';

let local: LocalHarness;
let ops: OpsPipeline;
const cwd = mkdtempSync(join(tmpdir(), 'tap-ops-e2e-'));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/files/${name}`, import.meta.url));

beforeAll(async () => {
  local = await startLocal();
  ops = await createOpsPipeline(local, 'opse2e', { withProcessor: true, visibilityTimeout: 5, maxReceiveCount: 2 });
}, 180_000);

afterAll(async () => {
  ops?.clients.destroy();
  await local?.stop();
});

describe('operating the pipeline', () => {
  it('upload --generate --wait: processed and rejected counts match what was generated; status shows the rejects', async () => {
    // act
    const result = await upload(ops.clients, ops.pipeline, { inputs: [], cwd, generate: { count: 200, badRatio: 0.1, seed: 11 }, waitMs: 60_000 }, recordingReporter());
    // assert
    expect(result.ok).toBe(true);
    expect(result.outcomes).toMatchObject([{ outcome: 'SUCCESS', run: { recordsProcessed: 180, recordsRejected: 20 } }]);
    const key = result.files[0]!.key;
    const detail = (await status(ops.clients, ops.pipeline, { file: key, limit: 20 }, recordingReporter())) as FileStatus;
    expect(detail.runs).toHaveLength(1);
    expect(detail.outputs.rejected).toMatch(/\/rejected\/generated-.*\.json\.errors\.ndjson$/);
    expect(detail.rejects.length).toBe(5);
    expect(detail.rejects[0]!.reason).toBeTruthy();
  });

  it('an unparseable file: FAILED, quarantined, exit status not ok', async () => {
    copyFileSync(fixture('malformed.json'), join(cwd, 'malformed.json'));
    const result = await upload(ops.clients, ops.pipeline, { inputs: ['malformed.json'], cwd, waitMs: 60_000 }, recordingReporter());
    expect(result.ok).toBe(false);
    expect(result.outcomes).toMatchObject([{ outcome: 'FAILED', run: { quarantineKey: 'quarantine/malformed.json' } }]);
  });

  it('a transient failure dead-letters the file; redrive --file --wait processes it once', async () => {
    // arrange: DynamoDB throttles long enough to exhaust the SDK's retries on every receive
    await injectFault(local.endpoint, { service: 'dynamodb', operation: 'GetItem', code: 'ThrottlingException', remaining: 1000 });
    copyFileSync(fixture('valid.json'), join(cwd, 'throttled.json'));
    const uploaded = await upload(ops.clients, ops.pipeline, { inputs: ['throttled.json'], cwd, waitMs: 90_000 }, recordingReporter());
    expect(uploaded.outcomes).toMatchObject([{ key: 'incoming/throttled.json', outcome: 'DEAD_LETTERED' }]);

    // act: the throttling ends; bring back only this file
    await fetch(`${local.endpoint}/_tap/faults`, { method: 'DELETE', headers: ADMIN_HEADERS });
    const result = await redrive(ops.clients, ops.pipeline, { file: 'throttled.json', dryRun: false, waitMs: 60_000 }, recordingReporter());

    // assert: moved, processed, one metadata row, and each record stored once
    expect(result).toMatchObject({ moved: 1, failures: [] });
    expect(result.outcomes).toMatchObject([{ outcome: 'SUCCESS' }]);
    const docs = await ops.clients.documents();
    const rows = await docs.send(new QueryCommand({ TableName: ops.pipeline.metadataTable, KeyConditionExpression: 'filename = :f', ExpressionAttributeValues: { ':f': 'incoming/throttled.json' } }));
    expect(rows.Items).toHaveLength(1);
    const events = await docs.send(new ScanCommand({ TableName: ops.outputs.ShipmentEventsTableName, FilterExpression: 'source_key = :k', ExpressionAttributeValues: { ':k': 'incoming/throttled.json' } }));
    expect(events.Items).toHaveLength(Number(rows.Items![0]!['records_processed']));
  }, 240_000);

  it('logs --file shows the processing lines of that file', async () => {
    const lines = await eventually(
      async () => {
        const found: LogLine[] = [];
        await logs(ops.clients, ops.pipeline, { sinceMs: 30 * 60_000, follow: false, key: 'incoming/malformed.json', onLine: (l) => void found.push(l) }, recordingReporter());
        return found.length ? found : undefined;
      },
      { what: 'log lines about malformed.json' },
    );
    expect(lines.some((l) => l.level === 'ERROR' && /file failed/.test(l.message))).toBe(true);
    // Lines that name the file, and the other lines of the invocations that handled it (by request id).
    const handledBy = new Set(lines.filter((l) => l.raw.includes('incoming/malformed.json')).map((l) => l.requestId));
    expect(lines.every((l) => l.raw.includes('incoming/malformed.json') || handledBy.has(l.requestId))).toBe(true);
  });
});
