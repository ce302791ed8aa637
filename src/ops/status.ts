/**
 * `tap status`: one file's processing history with where its outputs are, or the recent files with
 * totals. Reads the metadata table (and its by-status index), the bucket and the dead-letter queue's
 * depth. It looks at the DLQ's messages only when asked (`lookInDlq`): a look is a receive, and
 * each receive adds one to every message's receive count.
 */
import type { ProcessingStatus } from '../handlers/contract.js';
import { type FileStatus, fileStatus as sharedFileStatus } from '../shared/file-status.js';
import { lastFailedAttempt } from './attempts.js';
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { incomingKey } from './keys.js';
import { laneOf, onLane } from './lanes.js';
import { type FileRun, recentRuns } from './metadata.js';
import type { Pipeline } from './pipeline.js';
import { queueDepth } from './queue-messages.js';
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

export type { FileStatus } from '../shared/file-status.js';

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

export async function status(clients: Clients, pipeline: Pipeline, options: StatusOptions, reporter: Reporter): Promise<StatusResult> {
  return explained<StatusResult>(clients.target, `reading the status of ${pipeline.stackName}`, () =>
    options.file !== undefined ? fileStatus(clients, pipeline, incomingKey(options.file), options, reporter) : recentStatus(clients, pipeline, options, reporter),
  );
}

async function fileStatus(clients: Clients, all: Pipeline, key: string, options: StatusOptions, reporter: Reporter): Promise<FileStatus> {
  // A photo's dead letters are in the photo pipeline's DLQ, and its attempts in the pod processor's logs.
  const pipeline = onLane(all, laneOf(all, key));
  const [docs, sqs] = await Promise.all([clients.documents(), clients.sqs()]);
  return sharedFileStatus({ docs, s3: () => clients.s3(), sqs, bucket: pipeline.bucket, metadataTable: pipeline.metadataTable, dlqUrl: pipeline.dlqUrl }, key, {
    ...options,
    around: (label, work) => step(reporter, 'TAP_STATUS_READ', label, work),
    lastAttempt: (k, now) => lastFailedAttempt(clients, pipeline, k, now),
    progress: async (executionArn) => {
      const { bigFileProgress } = await import('../shared/big-file-progress.js');
      return bigFileProgress(await clients.sfn(), executionArn).catch(() => undefined);
    },
  });
}

async function recentStatus(clients: Clients, pipeline: Pipeline, options: StatusOptions, reporter: Reporter): Promise<RecentStatus> {
  const [docs, sqs] = await Promise.all([clients.documents(), clients.sqs()]);
  const since = new Date((options.now ?? Date.now()) - (options.sinceMs ?? 86_400_000)).toISOString();
  const statuses: ProcessingStatus[] = options.status ? [options.status] : ['SUCCESS', 'FAILED'];
  const [pages, depth] = await Promise.all([
    step(reporter, 'TAP_STATUS_READ', `Reading ${pipeline.metadataTable}`, () =>
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
