/**
 * `tap dlq redrive --file`: SQS cannot filter a move task, so we receive every message of the DLQ,
 * send the ones about the file to the source queue and delete them from the DLQ only once the send
 * succeeded. A crash in between leaves a duplicate, never a loss; the processors skip a version they
 * already processed. `pipeline` is the lane's view (lanes.ts onLane): its DLQ and source queue.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { interrupted, sleep } from './abort.js';
import type { Failure, LaneResult, RedriveOptions } from './dlq-redrive.js';
import type { Pipeline } from './pipeline.js';
import { type QueueMessage, type Received, mentions, queueDepth, receiveBatch, release } from './queue-messages.js';
import type { Reporter } from './reporter.js';

const SCAN_MAX = 10_000;
// Long enough for a whole scan; whatever we hold is released (visibility 0) at the end anyway.
const HOLD_SECONDS = 600;

export async function redriveFile(sqs: SQSClient, pipeline: Pipeline, key: string, options: RedriveOptions, reporter: Reporter): Promise<LaneResult> {
  // Everything received stays hidden until the scan ends (or the next receive would return it again),
  // then whatever was not moved is made visible at once.
  const held = new Set<Received>();
  const moved: QueueMessage[] = [];
  const failures: Failure[] = [];
  let matched = 0;
  let scanned = 0;
  const started = performance.now();
  try {
    while (scanned < SCAN_MAX && !options.signal?.aborted) {
      const batch = await receiveBatch(sqs, pipeline.dlqUrl, { max: 10, visibilitySeconds: HOLD_SECONDS, waitSeconds: 1 });
      if (!batch.length) break;
      scanned += batch.length;
      for (const r of batch) held.add(r);
      const mine = batch.filter((r) => mentions(r.message, key));
      matched += mine.length;
      if (options.dryRun) moved.push(...mine.map((r) => r.message));
      else if (mine.length) {
        // Finished even if interrupted meanwhile: a sent message must not also stay in the DLQ.
        const result = await move(sqs, pipeline, mine);
        for (const r of result.moved) held.delete(r);
        moved.push(...result.moved.map((r) => r.message));
        failures.push(...result.failures);
        if (options.rate) await sleep(Math.max(0, (moved.length / options.rate) * 1000 - (performance.now() - started)), options.signal);
      }
      reporter.emit({ type: 'progress', code: 'TAP_DLQ_SCAN', message: `Looking through the DLQ for ${key}: ${matched} found`, done: scanned, total: scanned + (await queueDepth(sqs, pipeline.dlqUrl)).visible });
    }
  } finally {
    await release(sqs, pipeline.dlqUrl, [...held]);
  }
  const what = options.dryRun ? 'nothing was moved' : `${moved.length} message(s) about ${key} were redriven`;
  if (options.signal?.aborted) throw interrupted(`stopped after looking at ${scanned} message(s); ${what}.`);
  if (scanned >= SCAN_MAX) reporter.emit({ type: 'warn', code: 'TAP_DLQ_SCAN_LIMIT', message: `Looked at the first ${SCAN_MAX} messages only; run again for the rest.` });
  return { matched, moved: options.dryRun ? 0 : moved.length, failures, messages: moved.slice(0, 100) };
}

/** Send, retrying per-entry failures; delete from the DLQ exactly the entries that were sent. */
async function move(sqs: SQSClient, pipeline: Pipeline, batch: Received[]): Promise<{ moved: Received[]; failures: Failure[] }> {
  const { DeleteMessageBatchCommand, SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  const sent: Received[] = [];
  const errors = new Map<Received, string>();
  let pending = batch;
  for (let attempt = 1; attempt <= 3 && pending.length; attempt++) {
    if (attempt > 1) await sleep(100 * 2 ** attempt);
    const result = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: pipeline.queueUrl, Entries: pending.map((r, i) => ({ Id: String(i), MessageBody: r.raw.Body ?? '', ...attributes(r.raw) })) }),
    );
    const failed = new Map((result.Failed ?? []).map((f) => [f.Id, f]));
    const retry: Received[] = [];
    pending.forEach((r, i) => {
      const failure = failed.get(String(i));
      if (!failure) {
        sent.push(r);
        errors.delete(r);
        return;
      }
      errors.set(r, `${failure.Code}: ${failure.Message ?? ''}`);
      // A sender fault (the entry itself is bad) would fail the same way again.
      if (!failure.SenderFault) retry.push(r);
    });
    pending = retry;
  }
  const failures: Failure[] = [...errors].map(([r, reason]) => ({ messageId: r.message.messageId, stage: 'send', reason: `${reason} (it stays in the DLQ)` }));
  const moved: Received[] = [];
  if (sent.length) {
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: pipeline.dlqUrl, Entries: sent.map((r, i) => ({ Id: String(i), ReceiptHandle: r.raw.ReceiptHandle })) }));
    const failed = new Map((deleted.Failed ?? []).map((f) => [f.Id, f]));
    sent.forEach((r, i) => {
      const failure = failed.get(String(i));
      if (!failure) moved.push(r);
      else failures.push({ messageId: r.message.messageId, stage: 'delete', reason: `${failure.Code}: ${failure.Message ?? ''} (it was sent, so it is now in both queues)` });
    });
  }
  return { moved, failures };
}

/** Message attributes, as SendMessage takes them back. S3 notifications have none; other senders may. */
function attributes(raw: Message): { MessageAttributes?: NonNullable<Message['MessageAttributes']> } {
  return raw.MessageAttributes && Object.keys(raw.MessageAttributes).length ? { MessageAttributes: raw.MessageAttributes } : {};
}
