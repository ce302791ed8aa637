/**
 * One queue: its settings (queue.json, rewritten atomically on change) and its messages (in memory,
 * journaled, see journal.ts). All methods are synchronous, so each operation is atomic with respect
 * to the others; long polling waits outside them (store.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomicIfCurrent, writeFileAtomicSync } from '../../storage.js';
import { parseRedrivePolicy, type RedrivePolicy } from './attributes.js';
import { invalidParameterValue, invalidValue, messageNotInflight, purgeQueueInProgress, receiptHandleIsInvalid } from './errors.js';
import { DedupWindow, dedupKeyOf, fifoCandidates } from './fifo.js';
import { Journal, type JournalRecord, stateRecord } from './journal.js';
import { type CheckedSend, newStoredMessage, type StoredMessage } from './messages.js';

export interface QueueMeta {
  readonly name: string;
  readonly region: string;
  readonly fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Epoch seconds, as the attributes report them. */
  readonly created: number;
  lastModified: number;
  /** ms of the last PurgeQueue: one per 60 seconds. */
  lastPurge?: number;
}

const MAX_VISIBILITY_MS = 43_200_000;

export class Queue {
  readonly messages = new Map<string, StoredMessage>();
  private readonly dedup = new DedupWindow();
  private seq = 0;
  /** Bumped by every save of queue.json (and by close): an async save renames only if still newest. */
  private metaVersion = 0;
  private asyncSave: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private readonly journal: Journal;

  private constructor(readonly meta: QueueMeta, readonly arn: string, readonly dir: string) {
    this.journal = new Journal(join(dir, 'messages.jsonl'));
  }

  static create(dir: string, meta: QueueMeta, arn: string): Queue {
    const queue = new Queue(meta, arn, dir);
    queue.saveMeta();
    queue.journal.rewrite([]);
    return queue;
  }

  /** Replays the journal, drops what expired while we were down, and compacts. */
  static open(dir: string, meta: QueueMeta, arn: string): Queue {
    const queue = new Queue(meta, arn, dir);
    for (const r of Journal.read(queue.journal.path, `records of queue ${meta.name} (${meta.region})`)) queue.replay(r);
    const now = Date.now();
    for (const m of queue.messages.values()) if (queue.expired(m, now)) queue.messages.delete(m.id);
    queue.compact(now);
    return queue;
  }

  private replay(r: JournalRecord): void {
    if (r.t === 'm') {
      this.messages.set(r.m.id, r.m);
      this.trackSeq(r.m.seq);
    } else if (r.t === 'u') {
      const m = this.messages.get(r.i);
      if (m) Object.assign(m, { receiveCount: r.c, visibleAt: r.v, handle: r.h, firstReceive: r.f, receivedAt: r.r });
    } else if (r.t === 'd') {
      this.messages.delete(r.i);
    } else if (r.t === 'p') {
      this.messages.clear();
    } else if (r.t === 'x') {
      this.dedup.remember(r.k, { id: r.i, ...(r.s ? { seq: r.s } : {}), at: r.a });
      this.trackSeq(r.s);
    }
  }

  private trackSeq(seq: string | undefined): void {
    if (seq) this.seq = Math.max(this.seq, Number(seq));
  }

  saveMeta(): void {
    this.metaVersion++;
    writeFileAtomicSync(join(this.dir, 'queue.json'), JSON.stringify(this.meta));
  }

  /**
   * saveMeta without blocking the event loop on the fsync (CloudFormation's queue policies: a stack
   * delete removes them while the rest of the stack goes). Durable when it resolves; a later save
   * (or the queue's delete) meanwhile supersedes it.
   */
  async saveMetaAsync(): Promise<void> {
    const version = ++this.metaVersion;
    const write = writeFileAtomicIfCurrent(join(this.dir, 'queue.json'), JSON.stringify(this.meta), () => this.metaVersion === version);
    this.asyncSave = write;
    // Superseded by newer async saves: the newest writes this state too (a sync save, at once).
    for (let awaited = write; ; awaited = this.asyncSave) {
      await awaited;
      if (this.asyncSave === awaited) return;
    }
  }

  num(attribute: string): number {
    return Number(this.meta.attributes[attribute]);
  }

  get redrivePolicy(): RedrivePolicy | undefined {
    const text = this.meta.attributes.RedrivePolicy;
    return text ? parseRedrivePolicy(text) : undefined;
  }

  expired(m: StoredMessage, now: number): boolean {
    return now >= m.enqueued + this.num('MessageRetentionPeriod') * 1000;
  }

  /** SendMessage. A FIFO duplicate within 5 minutes is accepted but not enqueued: the first one's id comes back. */
  send(checked: CheckedSend, sender: string, now: number): StoredMessage {
    const max = this.num('MaximumMessageSize');
    if (checked.size > max) throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    if (!this.meta.fifo) {
      if (checked.dedupId) throw invalidValue('MessageDeduplicationId', checked.dedupId, 'The request includes a parameter that is not valid for this queue type.');
      const delay = checked.delaySeconds ?? this.num('DelaySeconds');
      const message = newStoredMessage(randomUUID(), { ...checked, delaySeconds: delay }, sender, now);
      this.put(message);
      return message;
    }
    const { dedupId, key } = dedupKeyOf(this.meta.attributes, checked);
    const prior = this.dedup.find(key, now);
    const fresh = newStoredMessage(randomUUID(), { ...checked, delaySeconds: this.num('DelaySeconds') }, sender, now);
    if (prior) return { ...fresh, id: prior.id, ...(prior.seq ? { seq: prior.seq } : {}) };
    const message: StoredMessage = { ...fresh, dedupId, seq: this.nextSeq() };
    this.dedup.remember(key, { id: message.id, seq: message.seq!, at: now });
    this.journal.append([{ t: 'x', k: key, i: message.id, s: message.seq!, a: now }]);
    this.put(message);
    return message;
  }

  /** SequenceNumber: large, increasing, 128-bit-looking (AWS's are 20 digits). */
  nextSeq(): string {
    return String(++this.seq).padStart(20, '0');
  }

  /** Adds a whole message (a send, a dead-lettered or redriven arrival) and wakes long polls. */
  put(message: StoredMessage): void {
    this.messages.set(message.id, message);
    this.journal.append([{ t: 'm', m: message }]);
    this.notify();
  }

  /**
   * One receive pass: up to `max` visible messages go in flight. A message whose receive count would
   * exceed the redrive policy's maxReceiveCount is handed to `deadLetter` instead (AWS moves it on that
   * receive); when that returns true it leaves this queue.
   */
  receive(max: number, visibilitySeconds: number, now: number, deadLetter?: (m: StoredMessage) => boolean): StoredMessage[] {
    const policy = this.redrivePolicy;
    const out: StoredMessage[] = [];
    const records: JournalRecord[] = [];
    for (const m of this.candidates(now)) {
      if (out.length >= max) break;
      if (policy && deadLetter && m.receiveCount >= policy.maxReceiveCount && deadLetter(m)) {
        this.messages.delete(m.id);
        records.push({ t: 'd', i: m.id });
        continue;
      }
      m.receiveCount++;
      m.firstReceive ??= now;
      m.receivedAt = now;
      m.handle = Buffer.from(`${this.arn}\n${m.id}\n${randomBytes(12).toString('hex')}`).toString('base64');
      m.visibleAt = now + visibilitySeconds * 1000;
      records.push(stateRecord(m));
      out.push(m);
    }
    this.journal.append(records);
    this.maybeCompact(now);
    return out;
  }

  private *candidates(now: number): Generator<StoredMessage> {
    if (this.meta.fifo) {
      yield* fifoCandidates(this.messages.values(), now, (m) => this.evictIfExpired(m, now));
      return;
    }
    for (const m of this.messages.values()) {
      if (!this.evictIfExpired(m, now) && m.visibleAt <= now) yield m;
    }
  }

  /**
   * Drops a message past the retention period, journaled: were it only dropped from memory, a longer
   * retention set later would bring it back on the next start.
   */
  private evictIfExpired(m: StoredMessage, now: number): boolean {
    if (!this.expired(m, now)) return false;
    this.messages.delete(m.id);
    this.journal.append([{ t: 'd', i: m.id }]);
    return true;
  }

  /** The first message a receive would take now (redrive tasks move messages in that order). */
  firstVisible(now: number): StoredMessage | undefined {
    for (const m of this.candidates(now)) return m;
    return undefined;
  }

  /** Takes a message out without a receipt handle (it moved to another queue). */
  remove(id: string, now: number): void {
    if (!this.messages.delete(id)) return;
    this.journal.append([{ t: 'd', i: id }]);
    this.maybeCompact(now);
    if (this.meta.fifo) this.notify();
  }

  /** DeleteMessage: a gone message or an older receipt handle succeed without effect (API reference). */
  delete(handle: string, now: number): void {
    const m = this.messages.get(this.messageIdOf(handle));
    if (!m || m.handle !== handle) return;
    if (this.meta.fifo && m.visibleAt <= now) {
      throw invalidValue('ReceiptHandle', handle, 'The receipt handle has expired.');
    }
    this.messages.delete(m.id);
    this.journal.append([{ t: 'd', i: m.id }]);
    this.maybeCompact(now);
    if (this.meta.fifo) this.notify(); // the message's group may be free now
  }

  changeVisibility(handle: string, seconds: number, now: number): void {
    const m = this.messages.get(this.messageIdOf(handle));
    if (!m || m.handle !== handle) {
      throw invalidValue('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
    }
    if (m.visibleAt <= now) throw messageNotInflight();
    if (now + seconds * 1000 - (m.receivedAt ?? now) > MAX_VISIBILITY_MS) {
      throw invalidValue('VisibilityTimeout', seconds, 'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]');
    }
    m.visibleAt = now + seconds * 1000;
    this.journal.append([stateRecord(m)]);
    this.maybeCompact(now);
    if (seconds === 0) this.notify();
  }

  /** The message id a receipt handle of this queue names; ReceiptHandleIsInvalid for anything else. */
  private messageIdOf(handle: string): string {
    const parts = Buffer.from(handle, 'base64').toString('utf8').split('\n');
    if (parts.length !== 3 || parts[0] !== this.arn) throw receiptHandleIsInvalid(handle);
    return parts[1]!;
  }

  purge(now: number): void {
    if (this.meta.lastPurge !== undefined && now - this.meta.lastPurge < 60_000) throw purgeQueueInProgress(this.meta.name);
    this.messages.clear();
    this.journal.append([{ t: 'p' }]);
    this.meta.lastPurge = now;
    this.saveMeta();
  }

  /** Visible, in flight and delayed counts (dropping expired messages on the way). */
  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of this.messages.values()) {
      if (this.evictIfExpired(m, now)) continue;
      if (m.visibleAt <= now) counts.visible++;
      else if (m.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  /** When the next delayed or in-flight message becomes visible: long polls wake then. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Resolves on the next send or visibility change, at `until`, on abort, or when the queue closes. */
  wait(until: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    this.metaVersion++; // a save still in flight writes nothing more
    this.notify();
    this.journal.close();
  }

  private maybeCompact(now: number): void {
    if (this.journal.length > 4 * (this.messages.size + this.dedup.size) + 10_000) this.compact(now);
  }

  /** Rewrites the journal as what is live: messages and unexpired deduplication entries. */
  private compact(now: number): void {
    const records: JournalRecord[] = [];
    for (const [k, e] of this.dedup.live(now)) records.push({ t: 'x', k, i: e.id, ...(e.seq ? { s: e.seq } : {}), a: e.at });
    for (const m of this.messages.values()) records.push({ t: 'm', m });
    this.journal.rewrite(records);
  }
}
