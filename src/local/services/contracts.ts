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
