/**
 * GET /files: recent files, newest first, from the metadata table's status index, paginated. With no
 * status filter both partitions (SUCCESS, FAILED) are read and merged; `next` carries where each one
 * stopped, so every page continues both exactly where the previous left off.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toFileRun, type FileRun } from '../../shared/metadata.js';
import type { MetadataItem } from '../ports.js';
import type { ProcessingStatus } from '../contract.js';
import { badRequest } from './http.js';
import type { ListQuery } from './inputs.js';

type Cursor = { filename: string; upload_timestamp: string } | 'done' | undefined;
type Cursors = Partial<Record<ProcessingStatus, Cursor>>;

export interface FilePage {
  readonly files: FileRun[];
  readonly since: string;
  readonly next?: string;
}

export async function listFiles(docs: DynamoDBDocumentClient, table: string, index: string, query: ListQuery, now = Date.now()): Promise<FilePage> {
  const since = new Date(now - query.sinceMs).toISOString();
  const statuses: ProcessingStatus[] = query.status ? [query.status] : ['SUCCESS', 'FAILED'];
  const cursors = query.next !== undefined ? decode(query.next, statuses) : {};
  const streams = await Promise.all(
    statuses.map(async (status) => {
      const cursor = cursors[status];
      if (cursor === 'done') return { status, items: [] as MetadataItem[], exhausted: true };
      const page = await docs.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: 'processing_status = :s AND upload_timestamp >= :t',
          ExpressionAttributeValues: { ':s': status, ':t': since },
          ScanIndexForward: false,
          Limit: query.limit,
          ...(cursor && { ExclusiveStartKey: { ...cursor, processing_status: status } }),
        }),
      );
      return { status, items: (page.Items ?? []) as MetadataItem[], exhausted: page.LastEvaluatedKey === undefined };
    }),
  );
  const merged = streams
    .flatMap((s) => s.items.map((item) => ({ status: s.status, item })))
    .sort((a, b) => b.item.upload_timestamp.localeCompare(a.item.upload_timestamp) || a.item.filename.localeCompare(b.item.filename))
    .slice(0, query.limit);
  const next: Cursors = {};
  for (const s of streams) {
    const taken = merged.filter((m) => m.status === s.status);
    const last = taken[taken.length - 1]?.item;
    const all = taken.length === s.items.length;
    next[s.status] = all && s.exhausted ? 'done' : last ? { filename: last.filename, upload_timestamp: last.upload_timestamp } : cursors[s.status];
  }
  const more = statuses.some((s) => next[s] !== 'done');
  return { files: merged.map((m) => toFileRun(m.item)), since, ...(more && { next: encode(next) }) };
}

function encode(cursors: Cursors): string {
  return Buffer.from(JSON.stringify(cursors)).toString('base64url');
}

function decode(token: string, statuses: ProcessingStatus[]): Cursors {
  const refuse = () => badRequest('next is not a token this API gave out: pass the "next" of the previous page unchanged, with the same status.');
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) throw refuse();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse();
  const out: Cursors = {};
  for (const [status, cursor] of Object.entries(value)) {
    if (!statuses.includes(status as ProcessingStatus)) throw refuse();
    if (cursor === 'done') out[status as ProcessingStatus] = 'done';
    else if (cursor && typeof cursor === 'object' && typeof (cursor as Record<string, unknown>).filename === 'string' && typeof (cursor as Record<string, unknown>).upload_timestamp === 'string') {
      const c = cursor as { filename: string; upload_timestamp: string };
      out[status as ProcessingStatus] = { filename: c.filename, upload_timestamp: c.upload_timestamp };
    } else if (cursor !== null) throw refuse();
  }
  return out;
}
