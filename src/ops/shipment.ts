/**
 * `tap shipment <id>`: one shipment's whole timeline, newest first — every status event from every
 * file (with the file and record it came from) and every proof-of-delivery photo (dimensions, capture
 * time, position, thumbnail). One Query on the events table's partition; an unknown id gets the
 * closest ids from a bounded scan, as `tap status --file` does for keys.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseIsoTimestamp } from '../handlers/timestamp.js';
import { closestKeys } from '../shared/closest-keys.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import { shipmentId } from './keys.js';
import type { Pipeline } from './pipeline.js';
import { step, type Reporter } from './reporter.js';

export interface ShipmentOptions {
  /** The shipment id as typed. */
  readonly id: string;
  /** Most entries read (the newest are kept). */
  readonly limit?: number;
}

/** A status event from a data file. */
export interface StatusEntry {
  readonly kind: 'status';
  /** The record's timestamp, as it was in the file. */
  readonly time: string;
  readonly status: string;
  /** The file (S3 key) and version the record came from, and its position in the file. */
  readonly file: string;
  readonly version?: string;
  readonly record?: number;
  /** The record's other fields (carrier, location, …). */
  readonly fields: Record<string, unknown>;
}

/** A proof-of-delivery photo. */
export interface PhotoEntry {
  readonly kind: 'photo';
  /** Capture time from EXIF, else the upload time (`timeSource` says which). */
  readonly time: string;
  readonly timeSource: 'exif' | 'upload';
  readonly uploadedAt?: string;
  readonly file: string;
  readonly version?: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly position?: { readonly latitude: number; readonly longitude: number };
  readonly orientation?: number;
  readonly thumbnailKey?: string;
}

export type TimelineEntry = StatusEntry | PhotoEntry;

export type ShipmentResult =
  | { readonly kind: 'timeline'; readonly shipmentId: string; readonly entries: TimelineEntry[]; readonly statusEvents: number; readonly photos: number; readonly truncated: boolean }
  | { readonly kind: 'unknown'; readonly shipmentId: string; readonly suggestions: string[] };

const DEFAULT_LIMIT = 10_000;
const SUGGESTION_SCAN = 5_000;
// Bookkeeping attributes: not part of a record's own fields.
const BOOKKEEPING = new Set(['shipment_id', 'event_key', 'source_key', 'source_version', 'record_number', 'environment', 'timestamp', 'status', 'event_type']);

export async function shipment(clients: Clients, pipeline: Pipeline, options: ShipmentOptions, reporter: Reporter): Promise<ShipmentResult> {
  const id = shipmentId(options.id, 'shipment id');
  const table = pipeline.eventsTable;
  if (!table) throw new UserError(`${pipeline.stackName} has no events table output: it was deployed by an older tap. Run tap deploy --env ${pipeline.env} to update it.`);
  try {
    const docs = await clients.documents();
    const { items, truncated } = await step(reporter, 'TAP_SHIPMENT_READ', `Reading ${table}`, () => eventsOf(docs, table, id, options.limit ?? DEFAULT_LIMIT));
    if (items.length === 0) {
      const ids = await step(reporter, 'TAP_SHIPMENT_SIMILAR', 'Looking for similar shipment ids', () => someShipmentIds(docs, table, SUGGESTION_SCAN));
      return { kind: 'unknown', shipmentId: id, suggestions: closestKeys(id, ids) };
    }
    const entries = items.map(toEntry).sort(newestFirst);
    const photos = entries.filter((e) => e.kind === 'photo').length;
    return { kind: 'timeline', shipmentId: id, entries, statusEvents: entries.length - photos, photos, truncated };
  } catch (error) {
    throw explainAwsError(error, clients.target, `reading shipment ${id} from ${table}`);
  }
}

/** Items of one shipment, newest `limit` (the sort key starts with the event time). */
async function eventsOf(docs: DynamoDBDocumentClient, table: string, id: string, limit: number): Promise<{ items: Record<string, unknown>[]; truncated: boolean }> {
  const { paginateQuery } = await import('@aws-sdk/lib-dynamodb');
  const items: Record<string, unknown>[] = [];
  const input = { TableName: table, KeyConditionExpression: 'shipment_id = :id', ExpressionAttributeValues: { ':id': id }, ScanIndexForward: false };
  for await (const page of paginateQuery({ client: docs, pageSize: Math.min(1000, limit) }, input)) {
    items.push(...(page.Items ?? []));
    if (items.length >= limit) return { items: items.slice(0, limit), truncated: items.length > limit || page.LastEvaluatedKey !== undefined };
  }
  return { items, truncated: false };
}

async function someShipmentIds(docs: DynamoDBDocumentClient, table: string, max: number): Promise<string[]> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const ids = new Set<string>();
  let start: Record<string, unknown> | undefined;
  let scanned = 0;
  do {
    const page = await docs.send(new ScanCommand({ TableName: table, ProjectionExpression: 'shipment_id', Limit: 1000, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) ids.add(String(item['shipment_id']));
    scanned += page.ScannedCount ?? page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && scanned < max);
  return [...ids];
}

export function toEntry(item: Record<string, unknown>): TimelineEntry {
  const str = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
  const num = (name: string) => (typeof item[name] === 'number' ? (item[name] as number) : undefined);
  const version = str('source_version');
  if (item['event_type'] === 'POD') {
    const latitude = num('latitude');
    const longitude = num('longitude');
    const orientation = num('orientation');
    const uploadedAt = str('uploaded_at');
    const thumbnailKey = str('thumbnail_key');
    return {
      kind: 'photo',
      time: str('timestamp') ?? '',
      timeSource: item['time_source'] === 'exif' ? 'exif' : 'upload',
      ...(uploadedAt && { uploadedAt }),
      file: str('source_key') ?? '',
      ...(version && { version }),
      format: str('image_format') ?? '',
      width: num('width') ?? 0,
      height: num('height') ?? 0,
      ...(latitude !== undefined && longitude !== undefined && { position: { latitude, longitude } }),
      ...(orientation !== undefined && { orientation }),
      ...(thumbnailKey && { thumbnailKey }),
    };
  }
  const record = num('record_number');
  return {
    kind: 'status',
    time: str('timestamp') ?? '',
    status: String(item['status'] ?? ''),
    file: str('source_key') ?? '',
    ...(version && { version }),
    ...(record !== undefined && { record }),
    fields: Object.fromEntries(Object.entries(item).filter(([k]) => !BOOKKEEPING.has(k))),
  };
}

/** By instant (timestamps in a file may carry any offset), newest first; unreadable times last. */
function newestFirst(a: TimelineEntry, b: TimelineEntry): number {
  const ta = parseIsoTimestamp(a.time) ?? -Infinity;
  const tb = parseIsoTimestamp(b.time) ?? -Infinity;
  return tb - ta || (a.kind === b.kind ? 0 : a.kind === 'photo' ? -1 : 1) || a.file.localeCompare(b.file);
}
