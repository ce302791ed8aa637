/**
 * One delivery attempt: record it on the file's metadata item, POST the signed outcome, record what
 * came back. Only a 2xx delivers. A failed attempt throws DeliveryFailed, which the state machine
 * retries with back-off; the last one (attempt == maxAttempts) is recorded as FAILED with a metric
 * first. Attempts are counted on the item per delivery id, so Step Functions' retries, a restart of
 * the state machine's host and `tap deliveries retry` (a new id) all count right. Everything is injected.
 */
import { METRIC } from '../contract.js';
import type { DeliveryBody, DeliveryOutcome } from './outcome.js';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** What the state machine passes (src/infra/delivery.ts builds it). */
export interface NotifyEvent {
  readonly outcome: DeliveryOutcome;
  readonly deliveryId: string;
  readonly url: string;
  readonly maxAttempts: number;
}

export type DeliveryStatus = 'SENDING' | 'RETRYING' | 'DELIVERED' | 'FAILED';

export interface NotifyResult {
  readonly status: 'DELIVERED';
  readonly attempts: number;
  readonly httpStatus: number;
  readonly at: string;
}

/** The attempt as recorded on the metadata item (delivery_* attributes). */
export interface AttemptRecord {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly at: string;
  readonly httpStatus?: number;
  readonly error?: string;
}

export interface DeliveryLedger {
  /** The item's current delivery (undefined: no item, the outcome is gone). */
  current(outcome: DeliveryOutcome): Promise<{ id?: string; status?: DeliveryStatus; attempts?: number; httpStatus?: number; at?: string } | undefined>;
  record(outcome: DeliveryOutcome, id: string, attempt: AttemptRecord): Promise<void>;
}

export interface NotifyDeps {
  readonly env: string;
  signingKey(): Promise<string>;
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
  readonly ledger: DeliveryLedger;
  readonly metrics: { addMetric(name: string, unit: 'Count', value: number): void; addMetadata(key: string, value: string): void };
  readonly logger: { info(m: string, ...a: Record<string, unknown>[]): void; warn(m: string, ...a: Record<string, unknown>[]): void };
  readonly now?: () => number;
}

/** A failed attempt: Step Functions retries on this error name. */
export class DeliveryFailed extends Error {
  override readonly name = 'DeliveryFailed';
}

/** The outcome's metadata item is gone: nothing to record on, not retried. */
export class OutcomeGone extends Error {
  override readonly name = 'OutcomeGone';
}

export async function notify(event: NotifyEvent, deps: NotifyDeps): Promise<NotifyResult> {
  const now = deps.now ?? Date.now;
  const { outcome, deliveryId: id } = event;
  const current = await deps.ledger.current(outcome);
  if (!current) throw new OutcomeGone(`the metadata of ${outcome.key} (${outcome.uploadedAt}) no longer exists`);
  // Already taken (an attempt whose answer Step Functions did not see, e.g. a timeout): never twice.
  if (current.id === id && current.status === 'DELIVERED') {
    return { status: 'DELIVERED', attempts: current.attempts ?? 1, httpStatus: current.httpStatus ?? 200, at: current.at ?? new Date(now()).toISOString() };
  }
  const attempts = (current.id === id ? (current.attempts ?? 0) : 0) + 1;
  await deps.ledger.record(outcome, id, { status: 'SENDING', attempts, at: new Date(now()).toISOString() });

  const body: DeliveryBody = { id, env: deps.env, ...outcome };
  const raw = JSON.stringify(body);
  const host = safeHost(event.url);
  let httpStatus: number | undefined;
  let problem: string;
  try {
    const key = await deps.signingKey();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'tap-webhooks/1',
      [SIGNATURE_HEADER]: signatureHeader(key, raw, Math.floor(now() / 1000)),
      [DELIVERY_ID_HEADER]: id,
    };
    httpStatus = (await deps.post(event.url, raw, headers)).status;
    problem = `HTTP ${httpStatus}`;
  } catch (error) {
    problem = (error as Error).name === 'TimeoutError' ? 'no answer in time' : `${(error as Error).message}`;
  }
  const at = new Date(now()).toISOString();
  // The metric line names its delivery (a property, not a dimension: no cardinality cost).
  deps.metrics.addMetadata('delivery_id', id);
  deps.metrics.addMetric(METRIC.deliveryAttempts, 'Count', 1);
  if (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300) {
    await deps.ledger.record(outcome, id, { status: 'DELIVERED', attempts, at, httpStatus });
    deps.metrics.addMetric(METRIC.deliveriesSucceeded, 'Count', 1);
    deps.logger.info('delivered', { delivery_id: id, host, http_status: httpStatus, attempts });
    return { status: 'DELIVERED', attempts, httpStatus, at };
  }
  const last = attempts >= event.maxAttempts;
  await deps.ledger.record(outcome, id, { status: last ? 'FAILED' : 'RETRYING', attempts, at, ...(httpStatus !== undefined && { httpStatus }), error: problem });
  if (last) deps.metrics.addMetric(METRIC.deliveriesFailed, 'Count', 1);
  deps.logger.warn(last ? 'delivery failed: no attempt left' : 'delivery attempt failed; Step Functions retries it', { delivery_id: id, host, http_status: httpStatus, attempts, max_attempts: event.maxAttempts, problem });
  throw new DeliveryFailed(`${problem} from ${host} (attempt ${attempts} of ${event.maxAttempts})`);
}

/** The URL's origin only: a webhook URL's path or query may hold a partner's token. */
function safeHost(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
