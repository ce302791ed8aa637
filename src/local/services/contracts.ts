/**
 * The in-process faces services show each other. Each service implements its own interface; others
 * reach it with `ctx.service<SqsApi>('sqs')`. Errors are AwsError with AWS's codes. (The CloudFormation
 * engine goes further: it provisions through the stores the services export, never over HTTP.)
 */
import type { LocalService } from '../service.js';

export interface SqsMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** SentTimestamp, ApproximateReceiveCount, ApproximateFirstReceiveTimestamp, SenderId, … as strings. */
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface SqsApi extends LocalService {
  /** Sends as another service does (S3 notifications, Lambda destinations). QueueDoesNotExist if absent. */
  sendByArn(queueArn: string, body: string): Promise<{ messageId: string }>;
  /**
   * Receives as the Lambda event source poller does: same visibility, receive count and redrive
   * semantics as ReceiveMessage. Resolves with [] after `waitSeconds` when nothing is visible.
   */
  receiveByArn(
    queueArn: string,
    options: { maxMessages: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<SqsMessage[]>;
  deleteByArn(queueArn: string, receiptHandle: string): Promise<void>;
  changeVisibilityByArn(queueArn: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>;
  /** The queue's attributes as GetQueueAttributes(All) returns them; QueueDoesNotExist if absent. */
  attributesByArn(queueArn: string): Promise<Record<string, string>>;
}

export interface S3Api extends LocalService {
  /** An object's bytes (Lambda code from S3, CloudFormation templates by URL). NoSuchBucket/NoSuchKey. */
  getObjectBytes(bucket: string, key: string, versionId?: string): Promise<Buffer>;
  /** What identifies the object's bytes (version and ETag), without reading them; throws as getObjectBytes. */
  objectTag(bucket: string, key: string, versionId?: string): string;
  /** An object version to stream (Step Functions' ItemReader reads millions of lines without holding them). */
  openObject(bucket: string, key: string, versionId?: string): S3ObjectHandle;
  /** The newest versions of the keys under a prefix, as ListObjectsV2 lists them (delete markers left out). */
  listObjects(bucket: string, prefix: string): Iterable<S3ListedObject>;
  /** PutObject of a file written by another service (it is moved into the bucket). NoSuchBucket if absent. */
  putObjectFile(bucket: string, key: string, path: string): Promise<{ etag: string; size: number }>;
}

export interface S3ObjectHandle {
  readonly versionId: string;
  readonly etag: string;
  readonly size: number;
  stream(): NodeJS.ReadableStream;
}

export interface S3ListedObject {
  readonly Key: string;
  readonly ETag: string;
  readonly LastModified: string;
  readonly Size: number;
  readonly StorageClass: string;
}

export interface LogsApi extends LocalService {
  /**
   * Appends events, creating the stream (and the group, as Lambda's service role would) if needed.
   * `createGroup: false`: a missing group drops the events instead (a deleted function's last logs).
   */
  appendEvents(
    region: string,
    logGroupName: string,
    logStreamName: string,
    events: ReadonlyArray<{ timestamp: number; message: string }>,
    options?: { createGroup?: boolean },
  ): Promise<void>;
}

export interface LambdaApi extends LocalService {
  /** An asynchronous (Event) invocation from another service, e.g. an S3 notification. */
  invokeAsyncByArn(functionArn: string, payload: string): Promise<void>;
  /** A synchronous (RequestResponse) invocation from another service, e.g. API Gateway's proxy integration. */
  invokeByArn(functionArn: string, payload: string): Promise<{ payload: string; functionError?: string }>;
}

/** An access key the local IAM created, as a signature check needs it. */
export interface IamKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly userName: string;
  readonly userArn: string;
  /** `AIDA…`, what GetCallerIdentity answers as UserId. */
  readonly userId: string;
}

export interface IamApi extends LocalService {
  /** The key if it exists and is Active; undefined for an unknown, Inactive or deleted key. */
  activeAccessKey(accessKeyId: string): Promise<IamKey | undefined>;
  /** Records a verified use of the key (GetAccessKeyLastUsed). */
  noteAccessKeyUse(accessKeyId: string, serviceName: string, region: string): Promise<void>;
}
