/**
 * `tap dlq list | peek | purge`: the dead-letter queue, looked at without consuming it, or emptied on
 * purpose. Redrive is in dlq-redrive.ts. `list` reads queue attributes only; `peek` must receive (SQS
 * has no other way to read a message), and says that the receive counts it shows include its look.
 */
import { explained } from './aws-errors.js';
import type { Clients } from './clients.js';
import { AwsError, Declined, UserError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { type QueueDepth, type QueueMessage, peek, queueDepth } from './queue-messages.js';
import type { Reporter } from './reporter.js';

export interface QueueSummary {
  readonly name: string;
  readonly url: string;
  readonly depth: QueueDepth;
}

export interface DlqListResult {
  /** Depths from the queues' attributes: listing receives nothing, so it changes no receive count. */
  readonly dlq: QueueSummary;
  readonly ingest: QueueSummary;
}

export interface DlqPeekResult {
  readonly queue: QueueSummary;
  readonly messages: QueueMessage[];
  /**
   * Always true: each message's `receiveCount` includes this look (SQS counts every receive), and
   * any earlier peek; the pipeline's own attempts are at most that count minus one.
   */
  readonly receiveCountIncludesThisLook: true;
}

export interface DlqPurgeResult {
  readonly queue: string;
  /** About how many messages were deleted (SQS's count just before the purge). */
  readonly purged: number;
}

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** Depth of both queues, from their attributes (no message is received). */
export async function dlqList(clients: Clients, pipeline: Pipeline): Promise<DlqListResult> {
  return explained(clients.target, 'reading the queues', async () => {
    const sqs = await clients.sqs();
    const [dlq, ingest] = await Promise.all([queueDepth(sqs, pipeline.dlqUrl), queueDepth(sqs, pipeline.queueUrl)]);
    return {
      dlq: { name: queueName(pipeline.dlqUrl), url: pipeline.dlqUrl, depth: dlq },
      ingest: { name: queueName(pipeline.queueUrl), url: pipeline.queueUrl, depth: ingest },
    };
  });
}

/** Up to `count` messages, made visible again before this returns. */
export async function dlqPeek(clients: Clients, pipeline: Pipeline, options: { count: number }): Promise<DlqPeekResult> {
  return explained(clients.target, 'peeking into the dead-letter queue', async () => {
    const sqs = await clients.sqs();
    const depth = await queueDepth(sqs, pipeline.dlqUrl);
    const messages = depth.visible ? await peek(sqs, pipeline.dlqUrl, options.count, depth.visible) : [];
    return { queue: { name: queueName(pipeline.dlqUrl), url: pipeline.dlqUrl, depth }, messages, receiveCountIncludesThisLook: true };
  });
}

export interface PurgeOptions {
  readonly yes: boolean;
  /** Asks the user; the CLI refuses when there is no terminal (then --yes is needed). */
  confirm(question: string): Promise<boolean>;
}

/** Deletes every message of the DLQ, after confirmation. */
export async function dlqPurge(clients: Clients, pipeline: Pipeline, options: PurgeOptions, reporter: Reporter): Promise<DlqPurgeResult> {
  const name = queueName(pipeline.dlqUrl);
  return explained(clients.target, `purging ${name}`, async () => {
    const sqs = await clients.sqs();
    const depth = await queueDepth(sqs, pipeline.dlqUrl);
    const count = depth.visible + depth.inFlight + depth.delayed;
    if (count === 0) {
      reporter.emit({ type: 'info', code: 'TAP_DLQ_EMPTY', message: `${name} is empty: nothing to purge.` });
      return { queue: name, purged: 0 };
    }
    const guard = pipeline.guarded ? `${pipeline.env} is a protected environment. ` : '';
    const question = `${guard}Delete all ${count} message(s) in ${name}? Their files will not be retried (redrive them with tap dlq redrive instead).`;
    if (!options.yes && !(await options.confirm(question))) throw new Declined('Purge cancelled: nothing was deleted.');
    const { PurgeQueueCommand } = await import('@aws-sdk/client-sqs');
    try {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: pipeline.dlqUrl }));
    } catch (error) {
      if ((error as Error).name === 'PurgeQueueInProgress') {
        throw new AwsError(`${name} is already being purged (SQS allows one purge every 60 seconds); try again in a minute.`, { cause: error, fixable: true });
      }
      throw error;
    }
    return { queue: name, purged: count };
  });
}
