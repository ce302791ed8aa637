import type { ServerResponse } from 'node:http';
import type { AwsError } from './errors.js';
import type { Faults } from './faults.js';
import type { ServiceRequest } from './request.js';

/** What every emulated service gets: where to keep state, who it is, and its sibling services. */
export interface LocalContext {
  readonly accountId: string;
  readonly dataDir: string;
  /** `http://127.0.0.1:<port>`: known once the server listens; addresses returned to clients use it. */
  endpoint(): string;
  readonly faults: Faults;
  /** The largest object body S3 takes in one PUT (5 GiB, as S3; tests lower it). */
  readonly maxObjectBytes: number;
  /** Another service, for in-process calls (S3 → SQS notifications, SQS → Lambda pollers, …). */
  service<T extends LocalService>(name: string): T;
}

/** One emulated AWS service, named by its SigV4 signing name (`s3`, `sqs`, `lambda`, …). */
export interface LocalService {
  readonly name: string;
  /** `X-Amz-Target` prefixes this service answers (JSON protocols). */
  readonly targetPrefixes?: readonly string[];
  /** Loads persisted state and starts background work (pollers, timers). */
  start?(): Promise<void>;
  handle(req: ServiceRequest, res: ServerResponse): Promise<void>;
  /** Writes an error in this service's wire format. */
  sendError(req: ServiceRequest, res: ServerResponse, error: AwsError): void;
  /** Stops background work; state is already on disk. */
  stop?(): Promise<void>;
  /** Drops all state (tap local reset). */
  reset?(): Promise<void>;
}

export type ServiceFactory = (ctx: LocalContext) => LocalService;
