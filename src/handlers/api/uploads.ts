/**
 * POST /files: a presigned POST for one file under `incoming/`. S3 itself enforces what the caller
 * declared: the exact key, the content type, and at most the declared size (content-length-range);
 * the permission expires after 15 minutes.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { UploadRequest } from './inputs.js';

export const UPLOAD_EXPIRY_SECONDS = 15 * 60;

export interface UploadPermission {
  readonly method: 'POST';
  readonly url: string;
  /** Form fields to send, in this order, before the file (as a field named `file`). */
  readonly fields: Record<string, string>;
  readonly key: string;
  readonly bucket: string;
  readonly contentType: string;
  readonly maxSize: number;
  readonly expiresAt: string;
}

export async function uploadPermission(s3: S3Client, bucket: string, upload: UploadRequest, now = Date.now()): Promise<UploadPermission> {
  const post = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: upload.key,
    Conditions: [
      ['content-length-range', 1, upload.size],
      ['eq', '$Content-Type', upload.contentType],
    ],
    Fields: { 'Content-Type': upload.contentType },
    Expires: UPLOAD_EXPIRY_SECONDS,
  });
  return {
    method: 'POST',
    url: post.url,
    fields: post.fields,
    key: upload.key,
    bucket,
    contentType: upload.contentType,
    maxSize: upload.size,
    expiresAt: new Date(now + UPLOAD_EXPIRY_SECONDS * 1000).toISOString(),
  };
}
