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
  // The last line may be cut by the range; only whole lines are parsed.
  if (text.length >= 262_144) lines.pop();
  return lines
    .filter((l) => l.trim() !== '')
    .slice(0, count)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RejectLine];
      } catch {
        return [];
      }
    });
}
