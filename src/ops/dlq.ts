/**
 * `tap dlq list | peek | purge`: the dead-letter queues, looked at without consuming them, or emptied
 * on purpose. Redrive is in dlq-redrive.ts. Each pipeline (files, photos: lanes.ts) has its own DLQ;
 * every command covers both and says which pipeline each queue and message belongs to. `list` reads
 * queue attributes only; `peek` must receive (SQS has no other way to read a message), and says that
 * the receive counts it shows include its look.
 */
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { AwsError, Declined, UserError } from './errors.js';
import { type Lane, type PipelineName, lanes } from './lanes.js';
import type { Pipeline } from './pipeline.js';
import { type QueueDepth, type QueueMessage, peek, queueDepth } from './queue-messages.js';
import type { Reporter } from './reporter.js';

export interface QueueSummary {
  readonly name: string;
  readonly url: string;
  readonly depth: QueueDepth;
}

/** One pipeline's source queue and dead-letter queue. */
export interface LaneSummary {
  readonly pipeline: PipelineName;
  readonly queue: QueueSummary;
  readonly dlq: QueueSummary;
}

export interface DlqListResult {
  /** Depths from the queues' attributes: listing receives nothing, so it changes no receive count. */
  readonly pipelines: LaneSummary[];
  /** The file pipeline's DLQ and ingest queue (also pipelines[0]), as before photos had their own. */
  readonly dlq: QueueSummary;
  readonly ingest: QueueSummary;
}

/** A dead-lettered message, and the pipeline whose DLQ holds it. */
export type DeadLetter = QueueMessage & { readonly pipeline: PipelineName };

export interface DlqPeekResult {
  /** Each pipeline's DLQ, as it was when looked at. */
  readonly queues: (QueueSummary & { readonly pipeline: PipelineName })[];
  /** Up to `count` from each DLQ, files first. */
  readonly messages: DeadLetter[];
  /**
   * Always true: each message's `receiveCount` includes this look (SQS counts every receive), and
   * any earlier peek; the pipeline's own attempts are at most that count minus one.
   */
  readonly receiveCountIncludesThisLook: true;
}

export interface DlqPurgeResult {
  /** Each DLQ that had messages, and about how many were deleted (SQS's count just before the purge). */
  readonly queues: { readonly pipeline: PipelineName; readonly queue: string; readonly purged: number }[];
  readonly purged: number;
}

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const summary = (url: string, depth: QueueDepth): QueueSummary => ({ name: queueName(url), url, depth });
const waiting = (d: QueueDepth) => d.visible + d.inFlight + d.delayed;

/** Depth of every pipeline's queue and DLQ, from their attributes (no message is received). */
export async function dlqList(clients: Clients, pipeline: Pipeline): Promise<DlqListResult> {
  return explained(clients.target, 'reading the queues', async () => {
    const sqs = await clients.sqs();
    const pipelines = await Promise.all(
      lanes(pipeline).map(async (lane): Promise<LaneSummary> => {
        const [dlq, queue] = await Promise.all([queueDepth(sqs, lane.dlqUrl), queueDepth(sqs, lane.queueUrl)]);
        return { pipeline: lane.pipeline, queue: summary(lane.queueUrl, queue), dlq: summary(lane.dlqUrl, dlq) };
      }),
    );
    return { pipelines, dlq: pipelines[0]!.dlq, ingest: pipelines[0]!.queue };
  });
}

/** Up to `count` messages of each DLQ, made visible again before this returns. */
export async function dlqPeek(clients: Clients, pipeline: Pipeline, options: { count: number }): Promise<DlqPeekResult> {
  return explained(clients.target, 'peeking into the dead-letter queues', async () => {
    const sqs = await clients.sqs();
    const looks = await Promise.all(
      lanes(pipeline).map(async (lane) => {
        const depth = await queueDepth(sqs, lane.dlqUrl);
        const messages = depth.visible ? await peek(sqs, lane.dlqUrl, options.count, depth.visible) : [];
        return { queue: { pipeline: lane.pipeline, ...summary(lane.dlqUrl, depth) }, messages: messages.map((m) => ({ ...m, pipeline: lane.pipeline })) };
      }),
    );
    return { queues: looks.map((l) => l.queue), messages: looks.flatMap((l) => l.messages), receiveCountIncludesThisLook: true };
  });
}

export interface PurgeOptions {
  readonly yes: boolean;
  /** Asks the user; the CLI refuses when there is no terminal (then --yes is needed). */
  confirm(question: string): Promise<boolean>;
}

/** Deletes every message of each non-empty DLQ, after one confirmation. */
export async function dlqPurge(clients: Clients, pipeline: Pipeline, options: PurgeOptions, reporter: Reporter): Promise<DlqPurgeResult> {
  return explained(clients.target, 'purging the dead-letter queues', async () => {
    const sqs = await clients.sqs();
    const full = (await Promise.all(lanes(pipeline).map(async (lane) => ({ lane, count: waiting(await queueDepth(sqs, lane.dlqUrl)) })))).filter((q) => q.count > 0);
    if (full.length === 0) {
      reporter.emit({ type: 'info', code: 'TAP_DLQ_EMPTY', message: 'The dead-letter queues are empty: nothing to purge.' });
      return { queues: [], purged: 0 };
    }
    const guard = pipeline.guarded ? `${pipeline.env} is a protected environment. ` : '';
    const what = full.map((q) => `${q.count} message(s) in ${queueName(q.lane.dlqUrl)}`).join(' and ');
    const question = `${guard}Delete all ${what}? Their files will not be retried (redrive them with tap dlq redrive instead).`;
    if (!options.yes && !(await options.confirm(question))) throw new Declined('Purge cancelled: nothing was deleted.');
    const queues = [];
    for (const { lane, count } of full) {
      await purgeQueue(sqs, lane);
      queues.push({ pipeline: lane.pipeline, queue: queueName(lane.dlqUrl), purged: count });
    }
    return { queues, purged: queues.reduce((n, q) => n + q.purged, 0) };
  });
}

async function purgeQueue(sqs: Awaited<ReturnType<Clients['sqs']>>, lane: Lane): Promise<void> {
  const { PurgeQueueCommand } = await import('@aws-sdk/client-sqs');
  try {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: lane.dlqUrl }));
  } catch (error) {
    if ((error as Error).name === 'PurgeQueueInProgress') {
      throw new AwsError(`${queueName(lane.dlqUrl)} is already being purged (SQS allows one purge every 60 seconds); try again in a minute.`, { cause: error, fixable: true });
    }
    throw error;
  }
}
