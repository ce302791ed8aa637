/**
 * Whether an AWS SDK error says "there is no such thing": S3's HEAD answers carry no body, so the SDK
 * can only name them `NotFound` (or give the bare 404); GET answers say `NoSuchKey`.
 */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
