/** Reading what the pipeline left in the bucket: objects' heads, key listings, the rejected-records report. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { RejectLine } from '../handlers/split.js';
import { isNotFound } from './not-found.js';

export interface ObjectHead {
  readonly lastModified?: string;
  readonly versionId?: string;
  readonly size: number;
}

/** The object's head, or undefined when there is no such key. */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<ObjectHead | undefined> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      ...(head.LastModified && { lastModified: head.LastModified.toISOString() }),
      ...(head.VersionId && { versionId: head.VersionId }),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Up to `max` keys under a prefix: a bounded listing, for suggestions. */
export async function someKeys(s3: S3Client, bucket: string, prefix: string, max: number): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: Math.min(1000, max - keys.length) }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && keys.length < max);
  return keys;
}

/** The first `count` lines of a rejected-records report (reads at most its first 256 KiB). */
export async function firstRejects(s3: S3Client, bucket: string, key: string, count: number): Promise<RejectLine[]> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-262143' }));
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'InvalidRange') return [];
    throw error;
  }
  const lines = text.split('\n');
  // The last line may be cut by the range: shown without its record (a record of ~256 KiB, too large
  // for the big-file path, is exactly such a reject), never left out.
  const cut = text.length >= 262_144 ? lines.pop() : undefined;
  const whole = lines.filter((l) => l.trim() !== '');
  const parsed = whole.slice(0, count).flatMap((l) => {
    try {
      return [JSON.parse(l) as RejectLine];
    } catch {
      return [];
    }
  });
  const partial = cut !== undefined && parsed.length < count ? withoutRecord(cut) : undefined;
  return partial ? [...parsed, partial] : parsed;
}

/**
 * A reject line cut short, without its record: the line is written with `record` last (split.ts), and
 * `,"record":` cannot occur inside a JSON string (its quotes would be escaped), so what comes before
 * it is the whole position and reason.
 */
function withoutRecord(line: string): RejectLine | undefined {
  const at = line.indexOf(',"record":');
  if (at < 0) return undefined;
  try {
    return { ...(JSON.parse(`${line.slice(0, at)}}`) as RejectLine), record_omitted: 'too large to show here; it is in the rejected output' };
  } catch {
    return undefined;
  }
}
