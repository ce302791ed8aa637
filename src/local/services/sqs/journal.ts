/**
 * A queue's messages on disk: an append-only journal of JSON lines (send, receive-state update, delete,
 * purge, dedup entry), replayed and compacted into a snapshot on start. Every acknowledged operation is
 * one synchronous `write(2)` to a file opened for append before the response goes out, so a kill -9
 * after the reply loses nothing (the page cache survives the process; we promise process-crash safety,
 * not power loss, as storage.ts does). A kill during a write can at worst leave a torn last line, which
 * replay ignores. Compaction writes the snapshot beside the journal and renames it over (storage.ts).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomicSync } from '../../storage.js';
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

  constructor(readonly path: string) {}

  /** Every intact record, in order. A line that does not parse can only be the torn tail. */
  static read(path: string): JournalRecord[] {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as JournalRecord);
      } catch {
        // torn tail of a kill -9 mid-append: that operation was never acknowledged
      }
    }
    return out;
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
    this.fd ??= openSync(this.path, 'a');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    this.records += records.length;
  }

  /** Replaces the journal with `records` (a snapshot of what is live), atomically. */
  rewrite(records: readonly JournalRecord[]): void {
    this.close();
    writeFileAtomicSync(this.path, records.map((r) => JSON.stringify(r) + '\n').join(''));
    this.records = records.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
