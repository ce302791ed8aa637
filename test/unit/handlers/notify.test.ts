import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../../../src/handlers/delivery/outcome.js';
import { type AttemptRecord, type DeliveryLedger, notify, type NotifyDeps } from '../../../src/handlers/delivery/notify.js';
import { verifySignature } from '../../../src/handlers/delivery/signature.js';

const outcome: DeliveryOutcome = { key: 'incoming/a.json', versionId: 'v', status: 'SUCCESS', recordsProcessed: 2, recordsRejected: 0, processedKey: 'processed/a.json.ndjson', rejectedKey: null, error: null, uploadedAt: 't', processedAt: 'p' };

/** An in-memory ledger and a scripted endpoint. */
function harness(answers: Array<number | Error>) {
  const item: { id?: string; status?: AttemptRecord['status']; attempts?: number; httpStatus?: number; at?: string } = {};
  const records: AttemptRecord[] = [];
  const posts: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  const metrics: string[] = [];
  const logs: string[] = [];
  const ledger: DeliveryLedger = {
    current: async () => ({ ...item }),
    record: async (_o, id, a) => {
      records.push(a);
      Object.assign(item, { id, status: a.status, attempts: a.attempts, httpStatus: a.httpStatus, at: a.at });
    },
  };
  const deps: NotifyDeps = {
    env: 'dev',
    signingKey: async () => 'secret-key',
    post: async (url, body, headers) => {
      posts.push({ url, body, headers });
      const next = answers.shift() ?? 200;
      if (next instanceof Error) throw next;
      return { status: next };
    },
    ledger,
    metrics: { addMetric: (name) => metrics.push(name), addMetadata: () => undefined },
    logger: { info: (m, ...a) => logs.push(m + JSON.stringify(a)), warn: (m, ...a) => logs.push(m + JSON.stringify(a)) },
    now: () => 1_700_000_000_000,
  };
  return { deps, item, records, posts, metrics, logs };
}

const event = { outcome, deliveryId: 'd-1', url: 'https://partner.example/hook?token=SECRET', maxAttempts: 3 };

describe('notify (one delivery attempt)', () => {
  it('posts the signed outcome with its delivery id and records DELIVERED on a 2xx', async () => {
    const h = harness([204]);
    await expect(notify(event, h.deps)).resolves.toEqual({ status: 'DELIVERED', attempts: 1, httpStatus: 204, at: expect.any(String) });
    const [post] = h.posts;
    expect(JSON.parse(post!.body)).toEqual({ id: 'd-1', env: 'dev', ...outcome });
    expect(post!.headers['Tap-Delivery-Id']).toBe('d-1');
    expect(verifySignature(post!.headers['Tap-Signature'], post!.body, ['secret-key'], { now: 1_700_000_000 })).toMatchObject({ ok: true });
    expect(h.records.map((r) => r.status)).toEqual(['SENDING', 'DELIVERED']);
    expect(h.metrics).toContain('DeliveriesSucceeded');
  });

  it('a non-2xx (a redirect too) or no answer fails the attempt; the last one is recorded FAILED with the metric', async () => {
    const h = harness([500, 302, new Error('connect ECONNREFUSED')]);
    await expect(notify(event, h.deps)).rejects.toMatchObject({ name: 'DeliveryFailed', message: expect.stringContaining('HTTP 500') });
    await expect(notify(event, h.deps)).rejects.toMatchObject({ name: 'DeliveryFailed', message: expect.stringContaining('HTTP 302') });
    await expect(notify(event, h.deps)).rejects.toMatchObject({ name: 'DeliveryFailed', message: expect.stringContaining('attempt 3 of 3') });
    expect(h.item).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(h.metrics.filter((m) => m === 'DeliveriesFailed')).toHaveLength(1);
  });

  it('counts attempts per delivery id: a retry (new id) starts again at 1', async () => {
    const h = harness([500, 200]);
    await expect(notify(event, h.deps)).rejects.toThrow();
    await expect(notify({ ...event, deliveryId: 'd-2' }, h.deps)).resolves.toMatchObject({ attempts: 1 });
  });

  it('never posts twice once delivered (an attempt whose answer Step Functions missed)', async () => {
    const h = harness([200, 200]);
    await notify(event, h.deps);
    await expect(notify(event, h.deps)).resolves.toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(h.posts).toHaveLength(1);
  });

  it('never logs the key or the URL beyond its origin', async () => {
    const h = harness([500]);
    await expect(notify(event, h.deps)).rejects.toThrow(/https:\/\/partner\.example/);
    const text = h.logs.join('\n');
    expect(text).not.toContain('secret-key');
    expect(text).not.toContain('token=SECRET');
  });
});
