/**
 * How much of a request body the local AWS reads into memory, per service, and the error it answers
 * past that. AWS's own payload limits, with room for the wire encoding (JSON escaping, base64, form
 * encoding): SQS 1 MiB messages and batches, CloudWatch Logs 1 MiB PutLogEvents batches, DynamoDB
 * 16 MB requests (BatchWriteItem), Lambda 50 MB zipped code sent base64 in CreateFunction's JSON.
 * S3 object bodies are streamed to disk, not buffered; this caps only S3's XML documents. Streaming
 * bodies are capped where they are streamed (s3/ingest.ts).
 */
import { AwsError } from './errors.js';

export interface BodyLimit {
  readonly bytes: number;
  /** AWS's answer for a body over `bytes`. */
  error(): AwsError;
}

const MiB = 1024 * 1024;

const generic = (bytes: number): BodyLimit => ({
  bytes,
  error: () => new AwsError('RequestEntityTooLarge', `Request body exceeds the maximum of ${bytes} bytes.`, 413),
});

const LIMITS: Record<string, BodyLimit> = {
  // dynalite's own cap, and DynamoDB's 16 MB request limit.
  dynamodb: { bytes: 16 * MiB, error: () => new AwsError('ValidationException', 'Request size exceeded 16 MB', 413) },
  lambda: {
    bytes: 72 * MiB,
    error: () => new AwsError('RequestEntityTooLargeException', `Request must be smaller than ${72 * MiB} bytes for the operation`, 413),
  },
  s3: { bytes: 8 * MiB, error: () => new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', 400) },
};

/** Every other service (SQS, Logs, SSM, STS, IAM, SNS, CloudWatch, CloudFormation): 8 MiB. */
const DEFAULT_LIMIT = generic(8 * MiB);

/** `/_tap/*`: health, faults, reset and custom resource responses are all small. */
export const ADMIN_LIMIT = generic(MiB);

export function bodyLimitFor(service: string): BodyLimit {
  return LIMITS[service] ?? DEFAULT_LIMIT;
}
