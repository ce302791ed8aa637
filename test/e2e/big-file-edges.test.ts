/**
 * The big-file path's edges with the real `bin/tap` on the local AWS, deployed with a small
 * `--big-file-threshold` (64 KiB): the partner API's GET /files/{key} while a big file runs (the
 * progress `tap status --file` shows), its answers to keys that are wrong, encoded or of a small file,
 * the alarm on runs that end without an outcome, and a record too large for a Step Functions map item.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsed, tapWorkspace } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

vi.setConfig({ testTimeout: 300_000 });

const { cwd, tap, stop } = tapWorkspace('big-file-edges', { env: 'edge' });
const THRESHOLD = 64 * 1024;

/** GET a path of the partner API through `tap api get --json`: the exit code and the parsed body. */
async function apiGet(path: string): Promise<{ code: number | null; body: any; stderr: string }> {
  const r = await tap('api', 'get', path, '--json');
  return { code: r.code, body: r.stdout.trim() ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const name = (key: string) => key.replace(/^incoming\//, '');

beforeAll(async () => {
  const deployed = await tap('deploy', '--big-file-threshold', '64KiB', '--json');
  expect(deployed.code, deployed.stderr).toBe(0);
  expect(parsed(deployed).settings).toMatchObject({ bigFileThreshold: THRESHOLD });
}, 240_000);

afterAll(async () => {
  await stop();
});

describe('GET /files/{key} of a big file', () => {
  it('shows the run’s progress while PROCESSING, as tap status --file does, and none once it ended', async () => {
    // arrange: a file well over the threshold, so the run lasts long enough to be seen
    const up = await tap('upload', '--generate', '20000', '--json');
    expect(up.code, up.stderr).toBe(0);
    const key: string = parsed(up).files[0].key;

    // act: poll the API while the state machine runs
    const seen = await eventually(async () => {
      const r = await apiGet(`/files/${name(key)}`);
      return r.code === 0 && r.body.runs?.[0]?.status === 'PROCESSING' && r.body.progress ? r.body : undefined;
    }, { timeoutMs: 90_000, intervalMs: 300, what: 'GET /files/{key} answering PROCESSING with progress' });

    // assert: the execution the row names, when it started, and where it is
    const { progress } = seen;
    expect(progress.executionArn).toBe(seen.runs[0].executionArn);
    expect(progress.executionArn).toContain(':execution:tap-edge-big-file:');
    expect(progress.status).toBe('RUNNING');
    expect(['preparing', 'writing', 'finishing']).toContain(progress.phase);
    expect(Number.isNaN(Date.parse(progress.startedAt))).toBe(false);
    expect(Date.parse(progress.startedAt)).toBeLessThanOrEqual(Date.now());
    if (progress.phase === 'writing') {
      expect(progress.recordsTotal).toBeGreaterThanOrEqual(progress.recordsWritten);
      expect(progress.batchesTotal).toBeGreaterThanOrEqual(progress.batchesDone);
    }
    // tap status --file reads the same data the same way: the same fields, the same run
    const viaStatus = parsed(await tap('status', '--file', key, '--json'));
    if (viaStatus.progress) {
      expect(viaStatus.progress.executionArn).toBe(progress.executionArn);
      expect(viaStatus.progress.startedAt).toBe(progress.startedAt);
    }

    const done = await eventually(async () => {
      const r = await apiGet(`/files/${name(key)}`);
      return r.body?.runs?.[0]?.status === 'SUCCESS' ? r.body : undefined;
    }, { timeoutMs: 300_000, intervalMs: 2000, what: 'the big file to end' });
    expect(done.progress).toBeUndefined();
    expect(done.runs[0].recordsProcessed + done.runs[0].recordsRejected).toBe(20000);
  });

  it('a key that does not exist: 404 (exit 1), the document saying it is unknown', async () => {
    const r = await apiGet('/files/no-such-file.ndjson');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP 404');
    expect(r.body).toMatchObject({ key: 'incoming/no-such-file.ndjson', known: false, runs: [] });
    expect(r.body.progress).toBeUndefined();
  });

  it('a key with URL-encoded characters names the file it decodes to; an encoded ../ is refused (400)', async () => {
    const file = join(cwd, 'daily dump (1)+é.json');
    writeFileSync(file, JSON.stringify([{ shipment_id: 'S1', status: 'DELIVERED', timestamp: '2026-01-05T10:00:00Z' }]));
    const up = await tap('upload', file, '--wait', '--json');
    expect(up.code, up.stderr).toBe(0);

    const encoded = await apiGet(`/files/${encodeURIComponent('daily dump (1)+é.json')}`);
    expect(encoded.code, encoded.stderr).toBe(0);
    expect(encoded.body).toMatchObject({ key: 'incoming/daily dump (1)+é.json', known: true, runs: [expect.objectContaining({ status: 'SUCCESS', recordsProcessed: 1 })] });
    const plain = await apiGet('/files/daily dump (1)+é.json');
    expect(plain.body).toEqual(encoded.body);

    const escape = await apiGet('/files/..%2Fprocessed%2Fx.json');
    expect(escape.code).toBe(1);
    expect(escape.stderr).toContain('HTTP 400');
    expect(escape.body.message).toMatch(/without \. or \.\. segments/);
  });

  it('a small file (under the threshold) has its row and no progress', async () => {
    const file = join(cwd, 'small.ndjson');
    writeFileSync(file, `${JSON.stringify({ shipment_id: 'S1', status: 'DELIVERED', timestamp: '2026-01-05T10:00:00Z' })}\n`);
    const up = await tap('upload', file, '--wait', '--json');
    expect(up.code, up.stderr).toBe(0);
    const r = await apiGet('/files/small.ndjson');
    expect(r.code, r.stderr).toBe(0);
    expect(r.body.runs[0]).toMatchObject({ status: 'SUCCESS', recordsProcessed: 1 });
    expect(r.body.runs[0].executionArn).toBeUndefined();
    expect(r.body.progress).toBeUndefined();
  });
});

describe('the alarm on big-file runs that end without an outcome', () => {
  it('is deployed, OK, and GET /status lists it among the environment’s alarms', async () => {
    const r = await apiGet('/status');
    expect(r.code, r.stderr).toBe(0);
    const alarm = r.body.alarms.find((a: { name: string }) => a.name === 'tap-edge-big-file-runs-failed');
    expect(alarm, JSON.stringify(r.body.alarms.map((a: { name: string }) => a.name))).toBeDefined();
  });
});

describe('a record larger than a Step Functions map item, on the big path', () => {
  it('is one rejected record with its size, the limit and what to do; the file is SUCCESS with the others written', async () => {
    // arrange: a file just over the threshold… and one ~300 KiB record in it
    const small = (i: number) => JSON.stringify({ shipment_id: `S${i}`, status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z' });
    const huge = JSON.stringify({ shipment_id: 'HUGE', status: 'IN_TRANSIT', timestamp: '2026-01-05T10:00:00Z', notes: 'n'.repeat(300 * 1024) });
    const lines = [small(1), huge, small(3)];
    writeFileSync(join(cwd, 'huge-record.ndjson'), `${lines.join('\n')}\n`);

    // act
    const up = await tap('upload', join(cwd, 'huge-record.ndjson'), '--wait', '--timeout', '4m', '--json');

    // assert: never PROCESSING forever, never FAILED for the whole file, nothing lost silently
    expect(up.code, up.stderr).toBe(0);
    const [outcome] = parsed(up).outcomes;
    expect(outcome).toMatchObject({ outcome: 'SUCCESS', run: { status: 'SUCCESS', recordsProcessed: 2, recordsRejected: 1 } });
    const status = parsed(await tap('status', '--file', 'huge-record.ndjson', '--json'));
    expect(status.runs[0].executionArn).toContain(':execution:tap-edge-big-file:');
    expect(status.rejects).toHaveLength(1);
    // the reject line (its 300 KiB record included) is longer than status reads: shown without the record
    expect(status.rejects[0]).toMatchObject({ record_number: 2, line: 2, field: null, record_omitted: expect.stringContaining('in the rejected output') });
    expect(status.outputs.rejected).toMatch(/^s3:\/\/.+\/rejected\/huge-record\.ndjson\.errors\.ndjson$/);
    expect(status.rejects[0].reason).toMatch(/^record is 307,\d{3} bytes as JSON; .*at most 253,952 bytes.* Upload this record in a file below the threshold/);
  });
});
