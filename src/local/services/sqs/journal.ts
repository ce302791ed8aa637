/**
 * A queue's messages on disk: an append-only journal of JSON lines (send, receive-state update, delete,
 * purge, dedup entry), replayed and compacted into a snapshot on start. Every operation is one
 * synchronous `write(2)` to a file opened for append, so the order on disk is the order of the
 * operations; before a response goes out the service awaits `flushJournals()`, a group commit: one
 * fdatasync per dirty journal covers every request that wrote to it meanwhile, so an acknowledged
 * operation survives a power loss, and 16 requests in flight cost about two syncs, not sixteen.
 * A kill during a write can at worst leave a torn last line, which replay drops silently; a damaged
 * line anywhere else is reported and the journal copied aside (storage.ts parseLines) before
 * compaction rewrites it. Compaction writes the snapshot beside the journal and renames it over.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { FILE_MODE, parseLines, writeFileAtomicSync } from '../../storage.js';
import type { StoredMessage } from './messages.js';

/** One line of the journal. Short keys: a busy queue writes one per send, receive and delete. */
export type JournalRecord =
  /** A whole message: a send, an arrival from another queue, or a snapshot line after compaction. */
  | { t: 'm'; m: StoredMessage }
  /** A message's receive state after a receive or a visibility change. */
  | { t: 'u'; i: string; c: number; v: number; h?: string; f?: number; r?: number }
  /** A message gone: deleted, dead-lettered, redriven. */
  | { t: 'd'; i: string }
  /** PurgeQueue. */
  | { t: 'p' }
  /** A FIFO deduplication entry (key, first message id, its sequence number, when). */
  | { t: 'x'; k: string; i: string; s?: string; a: number };

export function stateRecord(m: StoredMessage): JournalRecord {
  return { t: 'u', i: m.id, c: m.receiveCount, v: m.visibleAt, h: m.handle, f: m.firstReceive, r: m.receivedAt };
}

export class Journal {
  private fd: number | undefined;
  private records = 0;
  /** Appended to since opened: close() syncs before it lets go of the descriptor. */
  private appended = false;

  constructor(readonly path: string) {}

  /** Every intact record, in order. `lost` says whose records a damaged line took. */
  static read(path: string, lost = 'records of this journal'): JournalRecord[] {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return parseLines<JournalRecord>(path, text, (bad) => `${bad} ${lost} (a message, or a change to one, per line)`).records;
  }

  /** How many records the file holds; the owner compacts when this far exceeds what is live. */
  get length(): number {
    return this.records;
  }

  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    let text = '';
    for (const record of records) text += JSON.stringify(record) + '\n';
    const bytes = Buffer.from(text, 'utf8');
    this.fd ??= openSync(this.path, 'a', FILE_MODE);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    this.records += records.length;
    this.appended = true;
    dirty.add(this);
  }

  /** fdatasync of what was appended so far (see flushJournals). */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve(); // closed: close() synced it
    return new Promise((resolve, reject) =>
      fdatasync(fd, (error) => (error && !(error.code === 'EBADF' && this.fd !== fd) ? reject(error) : resolve())),
    );
  }

  /** Replaces the journal with `records` (a snapshot of what is live), atomically. */
  rewrite(records: readonly JournalRecord[]): void {
    this.close();
    writeFileAtomicSync(this.path, records.map((r) => JSON.stringify(r) + '\n').join(''));
    this.records = records.length;
  }

  close(): void {
    if (this.fd !== undefined) {
      // Also when a group commit has this journal in its batch but has not synced it yet.
      dirty.delete(this);
      if (this.appended) fdatasyncSync(this.fd);
      closeSync(this.fd);
      this.appended = false;
    }
    this.fd = undefined;
  }
}

/** Journals appended to since the last group commit started. */
const dirty = new Set<Journal>();
let running: Promise<void> | undefined;
let next: Promise<void> | undefined;

/**
 * Makes every append so far durable. Callers that arrive while a sync runs share the one after it;
 * callers whose appends landed before it started are covered by it.
 */
export function flushJournals(): Promise<void> {
  if (next) return next;
  if (dirty.size === 0 && !running) return Promise.resolve();
  next = (async () => {
    await running?.catch(() => undefined);
    next = undefined;
    const batch = [...dirty];
    dirty.clear();
    const current = Promise.all(batch.map((j) => j.sync())).then(() => undefined);
    running = current;
    try {
      await current;
    } finally {
      if (running === current) running = undefined;
    }
  })();
  return next;
}
