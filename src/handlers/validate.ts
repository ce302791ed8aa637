/**
 * Record validation and normalization. Pure.
 *
 * A record is valid when it is a JSON object whose `shipment_id` and `status` are non-empty strings
 * and whose `timestamp` is an ISO-8601 string (see ./timestamp.ts). Other fields are kept untouched.
 * The first problem found is reported, in the order shipment_id, status, timestamp, then anything
 * DynamoDB could not store (limits.ts), so that each rejected record counts once.
 */
import { storageProblem } from './limits.js';
import { parseIsoTimestamp } from './timestamp.js';

/** Fields every record must have; a CSV header must name them all. */
export const REQUIRED_FIELDS = ['shipment_id', 'status', 'timestamp'] as const;

// Room for the attributes events.ts adds to each item (event_key, source_key, record_number,
// environment, source_version): S3 keys and version ids are at most 1024 bytes each.
const PROVENANCE_BYTES = 4 * 1024;

/** A record that passed validation: the three required fields normalized, the rest as they came. */
export interface ShipmentRecord {
  shipment_id: string;
  status: string;
  timestamp: string;
  [field: string]: unknown;
}

export type Validation =
  | { ok: true; record: ShipmentRecord }
  | { ok: false; field: string | null; reason: string };

// shipment_id is the events table's partition key (≤ 2048 bytes); status is shown in listings.
// Limits in characters keep us well under DynamoDB's byte limits, even for 4-byte characters.
const MAX_ID_CHARS = 500;
const MAX_STATUS_CHARS = 100;

export function validateRecord(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, field: null, reason: `record must be an object, got ${describeType(value)}` };
  }
  const raw = value as Record<string, unknown>;
  // DynamoDB rejects an attribute with an empty name; catching it here keeps the failure per record.
  if (Object.hasOwn(raw, '')) return { ok: false, field: '', reason: 'field names must not be empty' };

  const id = requiredString(raw, 'shipment_id', MAX_ID_CHARS);
  if (typeof id !== 'string') return id;
  const status = requiredString(raw, 'status', MAX_STATUS_CHARS);
  if (typeof status !== 'string') return status;

  const ts = raw['timestamp'];
  if (typeof ts !== 'string') {
    return { ok: false, field: 'timestamp', reason: ts === undefined ? 'missing' : `must be a string, got ${describeType(ts)}` };
  }
  const millis = parseIsoTimestamp(ts.trim());
  if (millis === undefined) {
    return { ok: false, field: 'timestamp', reason: `not an ISO-8601 date-time: ${JSON.stringify(truncate(ts))}` };
  }

  const record = { ...raw, shipment_id: id, status: status.toUpperCase(), timestamp: new Date(millis).toISOString() };
  const problem = storageProblem(record, PROVENANCE_BYTES);
  if (problem) return { ok: false, ...problem };
  return { ok: true, record };
}

function requiredString(
  raw: Record<string, unknown>,
  field: string,
  maxChars: number,
): string | { ok: false; field: string; reason: string } {
  const v = raw[field];
  if (v === undefined) return { ok: false, field, reason: 'missing' };
  if (typeof v !== 'string') return { ok: false, field, reason: `must be a string, got ${describeType(v)}` };
  const trimmed = v.trim();
  if (trimmed === '') return { ok: false, field, reason: 'must not be empty' };
  if (trimmed.length > maxChars) return { ok: false, field, reason: `longer than ${maxChars} characters` };
  return trimmed;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
