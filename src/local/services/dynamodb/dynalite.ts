/**
 * dynalite, opened so that its LevelDB can be reached, with two repairs:
 *
 * - dynalite 4 turns LevelDB iterators into streams by calling `next()` until the end and never
 *   `close()`. abstract-level requires `close()`: an open iterator holds a snapshot, which pins the
 *   memtables and every table file of its version. Every Query, Scan and ListTables leaked one, so
 *   memory grew with each write (about 0.5 GB of RSS per 100,000 items) and compacted-away files were
 *   never deleted from disk (288 MB on disk for 32 MB of live data). Here the streams come from
 *   `Readable.from` over the iterator, which closes it at its end and when the stream is destroyed.
 * - DeleteTable deletes a table's keys, but LevelDB gives the space back only when the range is
 *   compacted: `reclaim` compacts the deleted table's key ranges.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';

interface Level {
  keys(options?: unknown): AsyncIterable<unknown>;
  values(options?: unknown): AsyncIterable<unknown>;
  compactRange(start: string, end: string): Promise<void>;
  createKeyStream?(options?: unknown): Readable;
  createValueStream?(options?: unknown): Readable;
}

interface Store {
  readonly db: Level;
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
  const db = store!.db;
  db.createKeyStream = (o) => Readable.from(db.keys(o));
  db.createValueStream = (o) => Readable.from(db.values(o));

  let running: Promise<void> = Promise.resolve();
  return {
    server,
    reclaim(table) {
      running = running.then(async () => {
        for (const prefix of prefixes(table)) {
          // Every prefix ends in `~`: its keys all sort before the same text ending in the next character.
          await db.compactRange(prefix, `${prefix.slice(0, -1)}\u007f`).catch((e: unknown) => {
            if (!/not open|closed/i.test(String(e))) console.error(`[tap local] dynamodb: could not compact ${prefix}:`, e);
          });
        }
      });
      return running;
    },
    idle: () => running,
  };
}
