/**
 * One file's status: its processing history, newest first, where its outputs are, its first rejected
 * records, and how many messages wait in the dead-letter queue (looked at only when asked). Shared by `tap status --file` (src/ops) and
 * the API handler's `GET /files/{key}` (src/handlers/api), so both answer with the same content.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ProcessingStatus } from '../handlers/contract.js';
import type { RejectLine } from '../handlers/split.js';
import type { BigFileProgress } from './big-file-progress.js';
import { closestKeys } from './closest-keys.js';
import { type FileRun, fileHistory, someFileNames } from './metadata.js';
import { type ObjectHead, firstRejects, headObject, someKeys } from './objects.js';
import { type QueueMessage, mentions, peek, queueDepth } from './queue-messages.js';

/** One file: its history, newest first, and what there is to know about it. */
export interface FileStatus {
  readonly kind: 'file';
  readonly key: string;
  readonly bucket: string;
  /** Whether anything is known about the key: a processing, the object, or a dead-lettered message. */
  readonly known: boolean;
  /** Runs that match --status/--since, at most `limit` of them; `matchingRuns` counts them all. */
  readonly runs: FileRun[];
  readonly matchingRuns: number;
  /** Every processing recorded for the key. */
  readonly totalRuns: number;
  /** s3:// locations of the latest run's outputs. */
  readonly outputs: { readonly processed?: string; readonly rejected?: string; readonly quarantine?: string };
  /** The first rejected records of the latest run that had any, with their reasons. */
  readonly rejects: RejectLine[];
  /** Messages about this file in the dead-letter queue (among the first 100 looked at), when looked. */
  readonly deadLettered: QueueMessage[];
  /**
   * The DLQ: how many messages wait there (from its attributes), and whether they were looked at.
   * When looked, receive counts include that look.
   */
  readonly dlq: { readonly messages: number; readonly looked: boolean };
  /** When there is no history: the object as it is in the bucket (uploaded, not yet processed). */
  readonly object?: ObjectHead;
  /** When there is no history: the last attempt, if it timed out or crashed, and when its retry is due. */
  readonly lastAttempt?: FailedAttempt;
  /** When the key is unknown: the closest keys that exist. */
  readonly suggestions: string[];
  /** When the newest run is a big file still PROCESSING: how far its state machine has got. */
  readonly progress?: BigFileProgress;
}

/** An invocation about the file that ended without a result. */
export interface FailedAttempt {
  readonly requestId: string;
  /** When the invocation started (≈ when the message was received). */
  readonly startedAt: string;
  /** When it ended. */
  readonly endedAt: string;
  readonly outcome: 'timeout' | 'crash';
  /** `Task timed out after 120.00 seconds`, or the runtime's error type (`Runtime.ExitError`). */
  readonly detail: string;
  /** About when the message becomes visible again: the start plus the queue's visibility timeout. */
  readonly retryDueAt?: string;
}

export interface FileStatusSources {
  readonly docs: DynamoDBDocumentClient;
  /** Asked for only when the answer needs the bucket (rejects, an unrecorded key): the CLI then loads the S3 client. */
  readonly s3: () => S3Client | Promise<S3Client>;
  readonly sqs: SQSClient;
  readonly bucket: string;
  readonly metadataTable: string;
  readonly dlqUrl: string;
}

export interface FileStatusQuery {
  readonly status?: ProcessingStatus;
  /** Only runs uploaded in this window (ms before `now`). */
  readonly sinceMs?: number;
  readonly limit: number;
  readonly now?: number;
  /** Also look for the file's messages in the DLQ (a receive: it adds to their receive counts). */
  readonly lookInDlq?: boolean;
  /** When nothing is recorded: how the last attempt ended, if it timed out or crashed (from logs). */
  readonly lastAttempt?: (key: string, now: number) => Promise<FailedAttempt | undefined>;
  /** How far a big file's run has got, from its execution ARN (absent: not shown). */
  readonly progress?: (executionArn: string) => Promise<BigFileProgress | undefined>;
  /** Wraps the slow search for similar keys (the CLI shows a spinner). */
  readonly around?: <T>(label: string, work: () => Promise<T>) => Promise<T>;
}

const SUGGESTION_SCAN = 2_000;
const REJECT_SAMPLE = 5;
const DLQ_LOOK = 100;

/** `key` is the full `incoming/…` key. */
export async function fileStatus(src: FileStatusSources, key: string, options: FileStatusQuery): Promise<FileStatus> {
  const now = options.now ?? Date.now();
  const [history, depth] = await Promise.all([fileHistory(src.docs, src.metadataTable, key), queueDepth(src.sqs, src.dlqUrl)]);
  const looked = Boolean(options.lookInDlq) && depth.visible > 0;
  const deadLettered = looked ? (await peek(src.sqs, src.dlqUrl, DLQ_LOOK, depth.visible)).filter((m) => mentions(m, key)) : [];
  const matching = history.filter(
    (r) => (!options.status || r.status === options.status) && (options.sinceMs === undefined || Date.parse(r.uploadedAt) >= now - options.sinceMs),
  );
  const latest = history[0];
  const at = (k: string | undefined) => (k ? `s3://${src.bucket}/${k}` : undefined);
  const locations = { processed: at(latest?.processedKey), rejected: at(latest?.rejectedKey), quarantine: at(latest?.quarantineKey) };
  const outputs: FileStatus['outputs'] = Object.fromEntries(Object.entries(locations).filter(([, v]) => v));
  const withRejects = history.find((r) => r.rejectedKey);
  const rejects = withRejects?.rejectedKey ? await firstRejects(await src.s3(), src.bucket, withRejects.rejectedKey, REJECT_SAMPLE) : [];

  const progress = latest?.status === 'PROCESSING' && latest.executionArn && options.progress ? await options.progress(latest.executionArn) : undefined;
  let object: ObjectHead | undefined;
  let lastAttempt: FailedAttempt | undefined;
  let suggestions: string[] = [];
  if (!history.length) {
    object = await headObject(await src.s3(), src.bucket, key);
    if (object && options.lastAttempt) lastAttempt = await options.lastAttempt(key, now);
    if (!object && !deadLettered.length) {
      const around = options.around ?? ((_label, work) => work());
      suggestions = await around('Looking for similar keys', async () => {
        const [names, keys] = await Promise.all([someFileNames(src.docs, src.metadataTable, SUGGESTION_SCAN), someKeys(await src.s3(), src.bucket, 'incoming/', SUGGESTION_SCAN)]);
        return closestKeys(key, [...names, ...keys]);
      });
    }
  }
  return {
    kind: 'file',
    key,
    bucket: src.bucket,
    known: history.length > 0 || object !== undefined || deadLettered.length > 0,
    runs: matching.slice(0, options.limit),
    matchingRuns: matching.length,
    totalRuns: history.length,
    outputs,
    rejects,
    deadLettered,
    dlq: { messages: depth.visible + depth.inFlight, looked },
    ...(object && { object }),
    ...(lastAttempt && { lastAttempt }),
    suggestions,
    ...(progress && { progress }),
  };
}
