/**
 * storage.ts's writeFileAtomicIfCurrent (SQS queue.json saves off the event loop): a write renames
 * into place only while it is the newest, so a slower older write never overwrites a newer one, and
 * a write whose record went away leaves nothing behind.
 */
import { mkdtempSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomicIfCurrent, writeFileAtomicSync } from '../../src/local/storage.js';

describe('writeFileAtomicIfCurrent', () => {
  it('writes while current; an older write finishing after a newer one leaves the newer content', async () => {
    // arrange
    const dir = mkdtempSync(join(tmpdir(), 'tap-if-current-'));
    const file = join(dir, 'queue.json');
    let version = 0;

    // act: an async save, overtaken by a synchronous one before its rename
    const v1 = ++version;
    const older = writeFileAtomicIfCurrent(file, '{"v":1}', () => version === v1);
    version++;
    writeFileAtomicSync(file, '{"v":2}');
    await older;

    // assert
    expect(readFileSync(file, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(dir)).toEqual(['queue.json']);

    // and a current one is written
    const v3 = ++version;
    await writeFileAtomicIfCurrent(file, '{"v":3}', () => version === v3);
    expect(readFileSync(file, 'utf8')).toBe('{"v":3}');
  });

  it("writes nothing once its record's folder is gone and the record says so", async () => {
    // arrange
    const root = mkdtempSync(join(tmpdir(), 'tap-if-current-'));
    const dir = join(root, 'q');
    writeFileAtomicSync(join(dir, 'queue.json'), '{"v":0}');
    let deleted = false;

    // act: the queue is deleted (its folder renamed away) while the save is in flight
    const save = writeFileAtomicIfCurrent(join(dir, 'queue.json'), '{"v":1}', () => !deleted);
    deleted = true;
    renameSync(dir, join(root, 'deleted-q'));

    // assert: no error, and no file reappears where the queue was
    await expect(save).resolves.toBeUndefined();
    expect(readdirSync(root)).toEqual(['deleted-q']);
  });
});
