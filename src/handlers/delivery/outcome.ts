/**
 * What a delivery says about a file, and the name of the execution that delivers it. Shared by the
 * processor (which starts the execution), the notifier (which posts it) and `tap deliveries retry`
 * (which starts a new one). node:crypto only: bundled into the Lambdas and loaded by the CLI.
 */
import { createHash } from 'node:crypto';
import type { ProcessingStatus } from '../contract.js';

/** One file outcome, as the webhook body carries it (with `id` and `env` added by the notifier). */
export interface DeliveryOutcome {
  readonly key: string;
  readonly versionId: string | null;
  readonly status: ProcessingStatus;
  readonly recordsProcessed: number;
  readonly recordsRejected: number;
  readonly processedKey: string | null;
  readonly rejectedKey: string | null;
  readonly error: string | null;
  /** The S3 event's time: with `key`, the metadata item's key. */
  readonly uploadedAt: string;
  readonly processedAt: string | null;
}

/** The webhook's JSON body. Absent values are null, so partners always see the same fields. */
export interface DeliveryBody extends DeliveryOutcome {
  /** The delivery id (also the Tap-Delivery-Id header): the same for every attempt of one delivery. */
  readonly id: string;
  readonly env: string;
}

/** The metadata item's fields a delivery needs (src/handlers/ports.ts MetadataItem). */
export interface OutcomeSource {
  readonly filename: string;
  readonly upload_timestamp: string;
  readonly processing_status: ProcessingStatus;
  readonly records_processed: number;
  readonly records_rejected: number;
  readonly version_id?: string;
  readonly processed_key?: string;
  readonly rejected_key?: string;
  readonly error_message?: string;
  readonly processed_at?: string;
}

export function outcomeOf(item: OutcomeSource): DeliveryOutcome {
  return {
    key: item.filename,
    versionId: item.version_id ?? null,
    status: item.processing_status,
    recordsProcessed: Number(item.records_processed),
    recordsRejected: Number(item.records_rejected),
    processedKey: item.processed_key ?? null,
    rejectedKey: item.rejected_key ?? null,
    error: item.error_message ?? null,
    uploadedAt: item.upload_timestamp,
    processedAt: item.processed_at ?? null,
  };
}

/** Step Functions' limit on execution names. */
export const MAX_EXECUTION_NAME = 80;

/**
 * The execution name of an outcome's delivery: the same (key, version, status) always gives the same
 * name, so a duplicate S3 event or a redrive starts nothing new (ExecutionAlreadyExists). Keys may be
 * 1,024 bytes of any characters and names only 80 of `[A-Za-z0-9_-]`: a readable tail of the key, the
 * status, and 128 bits of a SHA-256 over all three. `retry` (from `tap deliveries retry`) makes a new
 * name for the same outcome.
 */
export function executionName(outcome: Pick<DeliveryOutcome, 'key' | 'versionId' | 'uploadedAt' | 'status'>, retry?: string): string {
  // Without versioning, the upload's event time tells two uploads of a key apart.
  const version = outcome.versionId ?? `t:${outcome.uploadedAt}`;
  const hash = createHash('sha256').update(JSON.stringify([outcome.key, version, outcome.status])).digest('hex').slice(0, 32);
  const base = outcome.key.split('/').pop() ?? '';
  const slug = base.replace(/[^A-Za-z0-9_-]+/g, '_').slice(-24) || 'file';
  const suffix = retry === undefined ? '' : `-r${retry.replace(/[^A-Za-z0-9]/g, '').slice(0, 11)}`;
  return `${slug}-${outcome.status.toLowerCase()}-${hash}${suffix}`;
}
