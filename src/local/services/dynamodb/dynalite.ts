/**
 * dynalite, opened so that its LevelDB can be reached, with two repairs:
 *
 * - dynalite 4 turns LevelDB iterators into streams by calling `next()` until the end and never
 *   `close()`. abstract-level requires `close()`: an open iterator holds a snapshot, which pins the
 *   memtables and every table file of its version. Every Query, Scan and ListTables leaked one, so
 *   memory grew with each write (about 0.5 GB of RSS per 100,000 items) and compacted-away files were
 *   never deleted from disk (288 MB on disk for 32 MB of live data). Here the streams come from
 *   `Readable.from` over the iterator, which closes it at its end and when the stream is destroyed.
 * - DeleteTable read every key of the table into one array (after streaming the whole database to
 *   find them) and deleted them in one batch: deleting a table of 400,000 items took the server's RSS
 *   to 540 MB. Here it is a ranged delete over the table's key prefixes (`clear`, done inside LevelDB in
 *   small batches), in constant memory.
 * - LevelDB gives deleted space back only when the range is compacted: `reclaim` compacts the deleted
 *   table's key ranges, if it held items (a compaction costs a memtable flush and synced writes).
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';

interface Level {
  keys(options?: unknown): AsyncIterable<unknown>;
  values(options?: unknown): AsyncIterable<unknown>;
  clear(range: { gte: string; lt: string }): Promise<void>;
  compactRange(start: string, end: string): Promise<void>;
  createKeyStream?(options?: unknown): Readable;
  createValueStream?(options?: unknown): Readable;
}

type Callback = (error?: unknown) => void;

/** The parts of dynalite's store (db/index.js) that DeleteTable calls, by these names. */
interface Store {
  readonly db: Level;
  deleteItemDb(table: string, cb: Callback): void;
  deleteTagDb(table: string, cb: Callback): void;
  deleteIndexDb(indexType: string, table: string, index: string, cb: Callback): void;
}

export interface OpenDynalite {
  readonly server: Server;
  /** Compacts what DeleteTable of `table` left behind; one compaction at a time. */
  reclaim(table: string): Promise<void>;
  /** Resolves when no compaction is running. */
  idle(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** dynalite's own key prefixes (db/index.js): the table's items, its indexes, its tags. */
const prefixes = (table: string) => [`item-${table}~`, `index-global~${table}~`, `index-local~${table}~`, `tag-${table}~`];

/**
 * The keys that start with `prefix`, which ends in `~`: they all sort before the same text ending in
 * the next character (table and index names cannot hold `~`, so no other table's keys are in between).
 */
const rangeOf = (prefix: string) => ({ gte: prefix, lt: `${prefix.slice(0, -1)}\u007f` });

export function openDynalite(options: Record<string, unknown>): OpenDynalite {
  // dynalite() builds its store through db.create and keeps it private: catch it on the way.
  const dbModule = require('dynalite/db/index.js') as { create(options: unknown): Store };
  const create = dbModule.create;
  let store: Store | undefined;
  dbModule.create = (o) => (store = create(o));
  let server: Server;
  try {
    server = (require('dynalite') as (options: Record<string, unknown>) => Server)(options);
  } finally {
    dbModule.create = create;
  }
  const opened = store!;
  const { db } = opened;
  db.createKeyStream = (o) => Readable.from(db.keys(o));
  db.createValueStream = (o) => Readable.from(db.values(o));
  /**
   * Deleted tables that held items (their index entries follow them): only those have space worth
   * giving back (see reclaim); a few tags are not worth a compaction.
   */
  const held = new Set<string>();
  const clear = (table: string, prefix: string, cb: Callback, counts = true) =>
    void (async () => {
      const range = rangeOf(prefix);
      if (counts && (await holdsKeys(db, range))) held.add(table);
      await db.clear(range);
    })().then(() => cb(), cb);
  opened.deleteItemDb = (table, cb) => clear(table, `item-${table}~`, cb);
  opened.deleteTagDb = (table, cb) => clear(table, `tag-${table}~`, cb, false);
  opened.deleteIndexDb = (indexType, table, index, cb) => clear(table, `index-${indexType.toLowerCase()}~${table}~${index}~`, cb);

  let running: Promise<void> = Promise.resolve();
  return {
    server,
    reclaim(table) {
      running = running.then(async () => {
        // Each compaction first writes LevelDB's whole memtable out (a table file and a synced
        // MANIFEST): a table that held no items (a stack's table deleted unused) is left alone.
        if (!held.delete(table)) return;
        for (const prefix of prefixes(table)) {
          const { gte, lt } = rangeOf(prefix);
          await db.compactRange(gte, lt).catch((e: unknown) => {
            if (!/not open|closed/i.test(String(e))) console.error(`[tap local] dynamodb: could not compact ${prefix}:`, e);
          });
        }
      });
      return running;
    },
    idle: () => running,
  };
}

/** Whether any key lies in `range` (one seek; the iterator is closed by leaving the loop). */
async function holdsKeys(db: Level, range: { gte: string; lt: string }): Promise<boolean> {
  for await (const _key of db.keys({ ...range, limit: 1 })) return true;
  return false;
}
