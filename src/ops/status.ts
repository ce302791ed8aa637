/**
 * `tap status`: one file's processing history with where its outputs are, or the recent files with
 * totals. Reads the metadata table (and its by-status index), the bucket and the dead-letter queue's
 * depth. It looks at the DLQ's messages only when asked (`lookInDlq`): a look is a receive, and
 * each receive adds one to every message's receive count.
 */
import type { ProcessingStatus } from '../handlers/contract.js';
import type { RejectLine } from '../handlers/split.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { closestKeys, incomingKey } from './keys.js';
import { type FileRun, fileHistory, recentRuns, someFileNames } from './metadata.js';
import { type ObjectHead, firstRejects, headObject, someKeys } from './objects.js';
import type { Pipeline } from './pipeline.js';
import { type QueueMessage, mentions, peek, queueDepth } from './queue-messages.js';
import { step, type Reporter } from './reporter.js';

export interface StatusOptions {
  /** A file key, with or without `incoming/`: its history. Without it: the recent files. */
  readonly file?: string;
  readonly status?: ProcessingStatus;
  /** Only files uploaded in this window (ms before `now`). For the list, 24 hours when absent. */
  readonly sinceMs?: number;
  readonly limit: number;
  readonly now?: number;
  /** One file: also look for its messages in the DLQ (a receive: it adds to their receive counts). */
  readonly lookInDlq?: boolean;
}

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
  /** When the key is unknown: the closest keys that exist. */
  readonly suggestions: string[];
}

/** Recent files of the window, newest first, with totals over the whole window. */
export interface RecentStatus {
  readonly kind: 'recent';
  readonly since: string;
  readonly status?: ProcessingStatus;
  readonly runs: FileRun[];
  readonly totals: {
    /** Distinct keys; succeeded/failed count each by its newest run. */
    readonly files: number;
    /** Processing runs (one per upload of a key), when more than files. */
    readonly uploads?: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly recordsProcessed: number;
    readonly recordsRejected: number;
    /** The window held more than was counted (TOTALS_CAP per status). */
    readonly capped: boolean;
  };
  readonly dlqDepth: number;
}

export type StatusResult = FileStatus | RecentStatus;

const TOTALS_CAP = 5_000;
const SUGGESTION_SCAN = 2_000;
const REJECT_SAMPLE = 5;
const DLQ_LOOK = 100;

export async function status(clients: Clients, pipeline: Pipeline, options: StatusOptions, reporter: Reporter): Promise<StatusResult> {
  try {
    return options.file !== undefined ? await fileStatus(clients, pipeline, incomingKey(options.file), options, reporter) : await recentStatus(clients, pipeline, options, reporter);
  } catch (error) {
    throw explainAwsError(error, clients.target, `reading the status of ${pipeline.stackName}`);
  }
}

async function fileStatus(clients: Clients, pipeline: Pipeline, key: string, options: StatusOptions, reporter: Reporter): Promise<FileStatus> {
  const [docs, s3, sqs] = await Promise.all([clients.documents(), clients.s3(), clients.sqs()]);
  const now = options.now ?? Date.now();
  const [history, depth] = await Promise.all([fileHistory(docs, pipeline.metadataTable, key), queueDepth(sqs, pipeline.dlqUrl)]);
  const looked = Boolean(options.lookInDlq) && depth.visible > 0;
  const deadLettered = looked ? (await peek(sqs, pipeline.dlqUrl, DLQ_LOOK, depth.visible)).filter((m) => mentions(m, key)) : [];
  const matching = history.filter(
    (r) => (!options.status || r.status === options.status) && (options.sinceMs === undefined || Date.parse(r.uploadedAt) >= now - options.sinceMs),
  );
  const latest = history[0];
  const at = (k: string | undefined) => (k ? `s3://${pipeline.bucket}/${k}` : undefined);
  const locations = { processed: at(latest?.processedKey), rejected: at(latest?.rejectedKey), quarantine: at(latest?.quarantineKey) };
  const outputs: FileStatus['outputs'] = Object.fromEntries(Object.entries(locations).filter(([, v]) => v));
  const withRejects = history.find((r) => r.rejectedKey);
  const rejects = withRejects?.rejectedKey ? await firstRejects(s3, pipeline.bucket, withRejects.rejectedKey, REJECT_SAMPLE) : [];

  let object: ObjectHead | undefined;
  let suggestions: string[] = [];
  if (!history.length) {
    object = await headObject(s3, pipeline.bucket, key);
    if (!object && !deadLettered.length) {
      suggestions = await step(reporter, 'Looking for similar keys', async () => {
        const [names, keys] = await Promise.all([someFileNames(docs, pipeline.metadataTable, SUGGESTION_SCAN), someKeys(s3, pipeline.bucket, 'incoming/', SUGGESTION_SCAN)]);
        return closestKeys(key, [...names, ...keys]);
      });
    }
  }
  return {
    kind: 'file',
    key,
    bucket: pipeline.bucket,
    known: history.length > 0 || object !== undefined || deadLettered.length > 0,
    runs: matching.slice(0, options.limit),
    matchingRuns: matching.length,
    totalRuns: history.length,
    outputs,
    rejects,
    deadLettered,
    dlq: { messages: depth.visible + depth.inFlight, looked },
    ...(object && { object }),
    suggestions,
  };
}

async function recentStatus(clients: Clients, pipeline: Pipeline, options: StatusOptions, reporter: Reporter): Promise<RecentStatus> {
  const [docs, sqs] = await Promise.all([clients.documents(), clients.sqs()]);
  const since = new Date((options.now ?? Date.now()) - (options.sinceMs ?? 86_400_000)).toISOString();
  const statuses: ProcessingStatus[] = options.status ? [options.status] : ['SUCCESS', 'FAILED'];
  const [pages, depth] = await Promise.all([
    step(reporter, `Reading ${pipeline.metadataTable}`, () =>
      Promise.all(statuses.map((s) => recentRuns(docs, pipeline.metadataTable, pipeline.statusIndex, { status: s, since, max: TOTALS_CAP }))),
    ),
    queueDepth(sqs, pipeline.dlqUrl),
  ]);
  const all = pages.flatMap((p) => p.runs).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt) || a.key.localeCompare(b.key));
  // A key uploaded again is one file with two runs: totals count files, by each one's newest run.
  const newest = [...new Map(all.toReversed().map((r) => [r.key, r])).values()];
  return {
    kind: 'recent',
    since,
    ...(options.status && { status: options.status }),
    runs: all.slice(0, options.limit),
    totals: {
      files: newest.length,
      ...(all.length > newest.length && { uploads: all.length }),
      succeeded: newest.filter((r) => r.status === 'SUCCESS').length,
      failed: newest.filter((r) => r.status === 'FAILED').length,
      recordsProcessed: all.reduce((sum, r) => sum + r.recordsProcessed, 0),
      recordsRejected: all.reduce((sum, r) => sum + r.recordsRejected, 0),
      capped: pages.some((p) => p.more),
    },
    dlqDepth: depth.visible + depth.inFlight,
  };
}
