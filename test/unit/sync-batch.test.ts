/**
 * The group commit of src/local/sync-batch.ts with storage.ts's real writes: inside a batch a write
 * is visible at once and its syncs are the batch's; a file that existed before the batch is not
 * left to the commit (its replacement was synced before the rename); after the commit, writes that
 * still carry the batch sync themselves.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeIfExists, writeFileAtomic, writeFileAtomicSync } from '../../src/local/storage.js';
import { SyncBatch, currentBatch, inSyncBatch, outsideSyncBatch } from '../../src/local/sync-batch.js';

/** A batch whose commit records what it would sync. */
function recordingBatch(): { batch: SyncBatch; synced: string[] } {
  const synced: string[] = [];
  const batch = new SyncBatch(async (path) => void synced.push(path));
  return { batch, synced };
}

describe('SyncBatch', () => {
  it('leaves the syncs of new files and their folders to the commit; writes are visible at once', async () => {
    // arrange
    const dir = mkdtempSync(join(tmpdir(), 'tap-sync-batch-'));
    const existing = join(dir, 'existing.json');
    writeFileSync(existing, '{"v":0}');
    const { batch, synced } = recordingBatch();

    // act
    await inSyncBatch(batch, async () => {
      await writeFileAtomic(join(dir, 'sub', 'new.json'), '{"v":1}');
      writeFileAtomicSync(join(dir, 'sync.json'), '{"v":2}');
      await writeFileAtomic(existing, '{"v":3}');
      expect(readFileSync(join(dir, 'sub', 'new.json'), 'utf8')).toBe('{"v":1}');
      expect(readFileSync(existing, 'utf8')).toBe('{"v":3}');
    });
    expect(synced).toEqual([]);
    await batch.commit();

    // assert: new files and every folder touched; the existing file only through its folder
    expect(synced.sort()).toEqual([dir, join(dir, 'sub'), join(dir, 'sub', 'new.json'), join(dir, 'sync.json')].sort());
  });

  it('forgets a file removed in the batch but syncs its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-sync-batch-'));
    const { batch, synced } = recordingBatch();
    await inSyncBatch(batch, async () => {
      await writeFileAtomic(join(dir, 'gone.json'), '{}');
      await removeIfExists(join(dir, 'gone.json'));
    });
    await batch.commit();
    expect(synced).toEqual([dir]);
  });

  it('is closed by its commit: later writes carrying it sync themselves, and so does the stack file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-sync-batch-'));
    const { batch, synced } = recordingBatch();
    let late: Promise<void> | undefined;
    await inSyncBatch(batch, async () => {
      expect(currentBatch()).toBe(batch);
      expect(outsideSyncBatch(() => currentBatch())).toBeUndefined();
      // Something the operation started that outlives it (a poller, a timer).
      late = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(async () => {
        expect(currentBatch()).toBeUndefined();
        await writeFileAtomic(join(dir, 'late.json'), '{}');
      });
    });
    await batch.commit();
    await late;
    expect(synced).toEqual([]);
    expect(readFileSync(join(dir, 'late.json'), 'utf8')).toBe('{}');
  });
});
