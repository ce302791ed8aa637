/**
 * Notifications waiting for delivery, one file each under `<dataDir>/s3/outbox/`, written before the
 * request that caused them is acknowledged and removed once delivered. A crash in between delivers on
 * the next start (at least once). Deliveries run one at a time, in order; a destination that is gone
 * (deleted queue) drops its messages, as S3 does; a service not up yet is retried with backoff.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';
import type { LocalContext } from '../../service.js';
import type { LambdaApi, SqsApi } from '../contracts.js';
import type { DestinationKind } from './notification-config.js';

export interface OutboxEntry {
  readonly kind: DestinationKind;
  readonly arn: string;
  readonly body: string;
}

const RETRY_MS = [50, 100, 200, 400, 800, 1600, 3200, 5000];
const GONE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ResourceNotFoundException']);

export class Outbox {
  private readonly dir: string;
  private readonly pending: Array<{ file: string; entry: OutboxEntry }> = [];
  private seq = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: LocalContext,
    root: string,
  ) {
    this.dir = join(root, 'outbox');
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.pending.length = 0;
    const files = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const entry = await readJsonIfExists<OutboxEntry>(join(this.dir, file));
      if (entry) this.pending.push({ file, entry });
      this.seq = Math.max(this.seq, parseInt(file, 10) || 0);
    }
    this.kick();
  }

  async enqueue(entries: readonly OutboxEntry[]): Promise<void> {
    for (const entry of entries) {
      const file = `${String(++this.seq).padStart(16, '0')}.json`;
      await writeJsonAtomic(join(this.dir, file), entry);
      this.pending.push({ file, entry });
    }
    this.kick();
  }

  /** Resolves when everything queued so far has been delivered or dropped (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  async clear(): Promise<void> {
    await this.stop();
    this.pending.length = 0;
    await removeIfExists(this.dir);
  }

  private kick(): void {
    if (this.running || this.stopped || this.pending.length === 0) return;
    this.running = this.deliverAll().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async deliverAll(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const { file, entry } = this.pending[0]!;
      let finished = false;
      for (let attempt = 0; !finished && !this.stopped; attempt++) {
        if ((await this.deliver(entry)) === 'done') finished = true;
        else if (attempt >= RETRY_MS.length) {
          console.error(`[tap local] s3: dropping a notification for ${entry.arn} after ${attempt + 1} attempts`);
          finished = true;
        } else {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, RETRY_MS[attempt]);
            this.wake = () => (clearTimeout(timer), resolve());
          });
        }
      }
      // Stopped before delivery: the file stays for the next start.
      if (!finished) return;
      this.pending.shift();
      await removeIfExists(join(this.dir, file));
    }
  }

  private async deliver(entry: OutboxEntry): Promise<'done' | 'retry'> {
    try {
      if (entry.kind === 'queue') await this.ctx.service<SqsApi>('sqs').sendByArn(entry.arn, entry.body);
      else if (entry.kind === 'lambda') await this.ctx.service<LambdaApi>('lambda').invokeAsyncByArn(entry.arn, entry.body);
      // SNS topics are accepted in configurations but not emulated: nothing to deliver to.
      return 'done';
    } catch (error) {
      if (GONE.has((error as { code?: string }).code ?? '')) return 'done';
      return 'retry';
    }
  }
}
