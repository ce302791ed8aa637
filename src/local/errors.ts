/**
 * An error as AWS returns it. Services throw these; the protocol layer turns them into the wire shape
 * the SDKs parse (the code becomes the SDK error's `name`).
 */
export class AwsError extends Error {
  constructor(
    /** AWS's error code, e.g. `NoSuchKey`, `QueueDoesNotExist`, `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: {
      /** SQS's awsQueryCompatible code (`AWS.SimpleQueueService.NonExistentQueue`), where it differs. */
      readonly queryCode?: string;
      /** Extra fields for the error body (e.g. S3's `Key`, `BucketName`). */
      readonly fields?: Record<string, string>;
      readonly headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = code;
  }

  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const notImplemented = (service: string, operation: string) =>
  new AwsError(
    'NotImplemented',
    `tap local does not implement ${service} ${operation}. See src/local/services/${service} for what it supports.`,
    501,
  );
