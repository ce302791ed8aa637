import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../../src/infra/bundle.js';
import { bundleKey, forgetBundle, recordBundle, reusableBundle } from '../../../src/infra/bundle-cache.js';

let work: string;
let dir: string;

/** A bundle folder as esbuild leaves it, with a metafile naming a local source, a package file and a virtual module. */
function built(): Parameters<typeof recordBundle>[2] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = 1;');
  writeFileSync(join(dir, 'index.mjs.map'), '{}');
  return { inputs: { 'src/handler.ts': { bytes: 1, imports: [] }, 'node_modules/pkg/index.js': { bytes: 1, imports: [] }, '(disabled):fs': { bytes: 0, imports: [] } }, outputs: {} } as never;
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'tap-bundle-cache-'));
  dir = join(work, 'out', '.bundles', 'handler');
  mkdirSync(join(work, 'src'));
  writeFileSync(join(work, 'src', 'handler.ts'), 'export const handler = 1;');
});

describe('reusing a handler bundle', () => {
  it('reuses it while its key and local inputs are unchanged; package files are left to the key', () => {
    recordBundle(dir, 'k', built(), work, 25);
    expect(reusableBundle(dir, 'k')).toBe(25);
    expect(readFileSync(`${dir}.json`, 'utf8')).not.toContain('node_modules'); // the lockfile stands for them
  });

  it('rebuilds after an edit to an input, another key, or a changed or missing bundle', () => {
    recordBundle(dir, 'k', built(), work, 25);
    expect(reusableBundle(dir, 'other key')).toBeUndefined();

    writeFileSync(join(work, 'src', 'handler.ts'), 'export const handler = 2;');
    expect(reusableBundle(dir, 'k')).toBeUndefined();
    writeFileSync(join(work, 'src', 'handler.ts'), 'export const handler = 1;');
    expect(reusableBundle(dir, 'k')).toBe(25); // contents, not times

    writeFileSync(join(dir, 'index.mjs'), 'edited by hand');
    expect(reusableBundle(dir, 'k')).toBeUndefined();
    recordBundle(dir, 'k', built(), work, 25);
    rmSync(join(dir, 'index.mjs.map'));
    expect(reusableBundle(dir, 'k')).toBeUndefined();

    recordBundle(dir, 'k', built(), work, 25);
    rmSync(join(work, 'src', 'handler.ts'));
    expect(reusableBundle(dir, 'k')).toBeUndefined();
  });

  it('forgets the record before a rebuild, so a build that dies leaves nothing to reuse', () => {
    recordBundle(dir, 'k', built(), work, 25);
    forgetBundle(dir);
    expect(reusableBundle(dir, 'k')).toBeUndefined();
  });

  it('keys on the build options, the esbuild version and the lockfile', () => {
    writeFileSync(join(work, 'package-lock.json'), '{"v":1}');
    const key = bundleKey({ options: { minify: true }, esbuildVersion: '0.1.0', root: work });
    expect(bundleKey({ options: { minify: true }, esbuildVersion: '0.1.0', root: work })).toBe(key);
    expect(bundleKey({ options: { minify: false }, esbuildVersion: '0.1.0', root: work })).not.toBe(key);
    expect(bundleKey({ options: { minify: true }, esbuildVersion: '0.2.0', root: work })).not.toBe(key);
    writeFileSync(join(work, 'package-lock.json'), '{"v":2}');
    expect(bundleKey({ options: { minify: true }, esbuildVersion: '0.1.0', root: work })).not.toBe(key);
  });

  it('bundles a real handler once, then keeps the bundle as it is', async () => {
    const outDir = join(work, 'real');
    const first = await bundleHandler('notifier', outDir);
    const written = statSync(join(first.dir, 'index.mjs')).mtimeMs;
    const second = await bundleHandler('notifier', outDir);
    expect(second).toEqual(first);
    expect(statSync(join(first.dir, 'index.mjs')).mtimeMs).toBe(written);
    // The record names the handler's own sources, not the other handlers'.
    const inputs = Object.keys((JSON.parse(readFileSync(`${first.dir}.json`, 'utf8')) as { inputs: object }).inputs);
    expect(inputs.some((f) => f.endsWith(join('src', 'handlers', 'notifier.ts')))).toBe(true);
    expect(inputs.some((f) => f.endsWith(join('src', 'handlers', 'processor.ts')))).toBe(false);
  });
});
