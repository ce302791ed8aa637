/**
 * The SQS event source poller of one enabled mapping. As AWS's: long-polls the queue, gathers up to
 * BatchSize messages within MaximumBatchingWindowInSeconds, invokes the function synchronously with
 * the SQS event, then deletes what succeeded: everything on success; with ReportBatchItemFailures
 * everything but the reported `batchItemFailures` (an invalid report fails the whole batch); nothing
 * when the function fails or times out (the messages return after the visibility timeout and go to
 * the queue's dead-letter queue through its redrive policy).
 */
import { AwsError } from '../../errors.js';
import type { SqsApi, SqsMessage } from '../contracts.js';
import type { InvokeResult } from './runner.js';

export interface PollerTarget {
  readonly uuid: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly concurrency: number;
}

export interface PollerDeps {
  sqs(): SqsApi;
  /** Invokes the mapping's function (RequestResponse); undefined while the function does not exist. */
  invoke(payload: string): Promise<InvokeResult | undefined>;
}

export class SqsPoller {
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;
  private inFlight = 0;
  private slotFreed: (() => void) | undefined;

  constructor(
    private readonly target: PollerTarget,
    private readonly deps: PollerDeps,
  ) {
    this.loop = this.run().catch((e: unknown) => console.error(`[tap local] lambda: poller ${target.uuid} stopped:`, e));
  }

  /** Stops receiving; resolves as soon as the current receive is abandoned. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.slotFreed?.();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.inFlight >= this.target.concurrency) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let batch: SqsMessage[];
      try {
        batch = await this.collect();
      } catch (error) {
        if (this.stopped) return;
        console.error(`[tap local] lambda: mapping ${this.target.uuid}: cannot receive from ${this.target.queueArn}: ${(error as Error).message}`);
        await sleep(2000, this.abort.signal);
        continue;
      }
      if (batch.length === 0 || this.stopped) continue;
      this.inFlight++;
      void this.process(batch)
        .catch((e: unknown) => console.error(`[tap local] lambda: mapping ${this.target.uuid}:`, e))
        .finally(() => {
          this.inFlight--;
          this.slotFreed?.();
          this.slotFreed = undefined;
        });
    }
  }

  private async receive(max: number, waitMs: number): Promise<SqsMessage[]> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(Math.max(1, waitMs) + 1000)]);
    try {
      return await this.deps.sqs().receiveByArn(this.target.queueArn, {
        maxMessages: Math.min(10, max),
        waitSeconds: Math.min(20, Math.max(0, Math.ceil(waitMs / 1000))),
        signal,
      });
    } catch (error) {
      if (signal.aborted && !(error instanceof AwsError)) return [];
      throw error;
    }
  }

  private async collect(): Promise<SqsMessage[]> {
    const { batchSize, windowSeconds } = this.target;
    const batch = await this.receive(batchSize, 20_000);
    if (batch.length === 0 || windowSeconds === 0) return batch;
    const deadline = Date.now() + windowSeconds * 1000;
    while (batch.length < batchSize && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      batch.push(...(await this.receive(batchSize - batch.length, Math.min(left, 1000))));
    }
    return batch;
  }

  private async process(batch: SqsMessage[]): Promise<void> {
    const region = this.target.queueArn.split(':')[3]!;
    const event = { Records: batch.map((m) => toRecord(m, this.target.queueArn, region)) };
    let result: InvokeResult | undefined;
    try {
      result = await this.deps.invoke(JSON.stringify(event));
    } catch {
      return; // throttled, unsupported runtime, stopping: the batch stays in the queue
    }
    if (!result || result.functionError) return;
    const failed = this.target.reportBatchItemFailures ? failedIds(result.payload, batch) : new Set<string>();
    if (failed === undefined) return;
    for (const m of batch) {
      if (failed.has(m.messageId)) continue;
      await this.deps.sqs().deleteByArn(this.target.queueArn, m.receiptHandle).catch(() => {
        // An expired receipt handle or a deleted queue: the message comes back, as it would in AWS.
      });
    }
  }
}

/**
 * The message ids a ReportBatchItemFailures response marks failed; undefined when the response is not
 * a valid report (Lambda docs, "Implementing partial batch responses": the whole batch fails).
 */
export function failedIds(payload: string, batch: readonly SqsMessage[]): Set<string> | undefined {
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (response === null || response === undefined) return new Set();
  if (typeof response !== 'object') return undefined;
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return new Set();
  if (!Array.isArray(items)) return undefined;
  const ids = new Set(batch.map((m) => m.messageId));
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}

/** One record of the SQS event, exactly as Lambda builds it. */
export function toRecord(m: SqsMessage, queueArn: string, region: string) {
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: m.attributes,
    messageAttributes,
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
