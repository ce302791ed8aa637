import { describe, expect, it } from 'vitest';
import { deliveryLine } from '../../../src/cli/format/status.js';
import { plainStyle } from '../../../src/cli/format/style.js';
import { formatDeliveries, formatReceived, formatSecret } from '../../../src/cli/format/webhook.js';
import type { DeliveriesResult } from '../../../src/ops/deliveries.js';

const plain = { json: false, style: plainStyle };
const run = {
  key: 'incoming/a.json',
  uploadedAt: '2026-01-05T10:00:00.000Z',
  status: 'SUCCESS' as const,
  recordsProcessed: 3,
  recordsRejected: 0,
  durationMs: 10,
  size: 100,
  delivery: { id: 'a_json-success-0123', status: 'FAILED' as const, attempts: 6, httpStatus: 503, at: '2026-01-05T10:05:00.000Z', error: 'HTTP 503' },
};

describe('formatting deliveries', () => {
  it('one delivery line says the outcome, attempts, last status and time, and how to retry a failed one', () => {
    const line = deliveryLine(run.delivery, plainStyle, run.key);
    expect(line).toContain('gave up after 6 attempts');
    expect(line).toContain('HTTP 503');
    expect(line).toContain('tap deliveries retry --file incoming/a.json');
    expect(deliveryLine({ ...run.delivery, status: 'DELIVERED', attempts: 3, httpStatus: 200 }, plainStyle, run.key)).toContain('Delivered to the webhook after 3 attempts (last: HTTP 200');
  });

  it('the list as a table, or the result as JSON', () => {
    const result: DeliveriesResult = { kind: 'deliveries', since: '2026-01-04T10:00:00.000Z', runs: [run], more: false };
    const text = formatDeliveries(result, plain);
    expect(text).toMatch(/incoming\/a\.json\s+SUCCESS\s+FAILED\s+6\s+503/);
    expect(JSON.parse(formatDeliveries(result, { ...plain, json: true }))).toEqual(result);
    expect(formatDeliveries({ ...result, runs: [] }, plain)).toContain('No deliveries');
  });

  it('a received delivery: verified or flagged, one JSON line with --json', () => {
    const received = { receivedAt: '2026-01-05T10:00:00.000Z', method: 'POST', path: '/', deliveryId: 'd-1', verified: false, problem: 'the signature does not match', answered: 200, body: { key: 'incoming/a.json', status: 'SUCCESS', recordsProcessed: 1, recordsRejected: 0 } };
    expect(formatReceived(received, plain)).toContain('BAD SIGNATURE: the signature does not match');
    expect(formatReceived({ ...received, verified: true, key: 'previous' }, plain)).toContain('verified (previous key)');
    const json = formatReceived(received, { ...plain, json: true });
    expect(json.split('\n')).toHaveLength(1);
    expect(JSON.parse(json)).toEqual(received);
  });

  it('the secret: where it lives and how to read it, never the key', () => {
    const text = formatSecret({ kind: 'secret', name: 'tap/dev/webhook', arn: 'arn:aws:secretsmanager:us-east-1:1:secret:tap/dev/webhook-AbCdEf', region: 'us-east-1', versionId: 'v2', rotated: true, readCommand: 'aws secretsmanager get-secret-value --secret-id tap/dev/webhook' }, { json: false });
    expect(text).toContain('Rotated');
    expect(text).toContain('tap/dev/webhook-AbCdEf');
    expect(text).toContain('aws secretsmanager get-secret-value');
  });
});
