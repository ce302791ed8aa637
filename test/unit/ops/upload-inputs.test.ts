import { chmodSync, mkdirSync, mkdtempSync, readdir, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/ops/errors.js';
import { matchGlob, resolveInputs } from '../../../src/ops/upload-inputs.js';

/** A folder of files: path → contents. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tap-inputs-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const names = (files: { name: string }[]) => files.map((f) => f.name);

describe('upload inputs', () => {
  it('takes files, with their sizes', async () => {
    const cwd = tree({ 'a.json': '[]', 'b.csv': 'x,y\n' });
    const files = await resolveInputs(['a.json', 'b.csv'], cwd);
    expect(files).toEqual([
      { path: join(cwd, 'a.json'), name: 'a.json', size: 2 },
      { path: join(cwd, 'b.csv'), name: 'b.csv', size: 4 },
    ]);
  });

  it('expands a directory to its readable files, not recursively', async () => {
    const cwd = tree({ 'd/a.json': '[]', 'd/b.ndjson': '', 'd/notes.md': '#', 'd/sub/c.csv': '' });
    expect(names(await resolveInputs(['d'], cwd))).toEqual(['a.json', 'b.ndjson']);
  });

  it('expands globs the shell left alone, * within a folder and ** across folders', async () => {
    const cwd = tree({ 'data/a.json': '', 'data/b.csv': '', 'data/x/c.json': '', 'data/x/y/d.json': '' });
    expect(names(await resolveInputs(['data/*.json'], cwd))).toEqual(['a.json']);
    expect(names(await resolveInputs(['data/*/*.json'], cwd))).toEqual(['c.json']);
    expect(names(await resolveInputs(['data/**/*.json'], cwd))).toEqual(['a.json', 'c.json', 'd.json']);
  });

  it('uploads a file named twice once', async () => {
    const cwd = tree({ 'a.json': '' });
    expect(await resolveInputs(['a.json', './a.json', '*.json'], cwd)).toHaveLength(1);
  });

  it('reports every bad input at once, and nothing is returned', async () => {
    const cwd = tree({ 'ok.json': '', 'empty/readme.md': '' });
    const error = await resolveInputs(['ok.json', 'missing.json', 'empty', 'nothing/*.csv'], cwd).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Nothing was uploaded/);
    expect(message).toContain('missing.json: no such file or directory');
    expect(message).toContain('empty: the directory has no .json');
    expect(message).toContain('nothing/*.csv: no files match');
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const cwd = tree({ 'secret.json': '[]' });
    chmodSync(join(cwd, 'secret.json'), 0o000);
    await expect(resolveInputs(['secret.json'], cwd)).rejects.toThrow(/secret.json: not readable/);
  });

  it('refuses two files that would upload to the same key', async () => {
    const cwd = tree({ 'a/x.json': '', 'b/x.json': '' });
    await expect(resolveInputs(['a/x.json', 'b/x.json'], cwd)).rejects.toThrow(/would both upload as x.json/);
  });

  it('needs something to upload', async () => {
    await expect(resolveInputs([], tmpdir())).rejects.toThrow(/--generate N/);
  });

  it('expands braces, character classes and ? (tinyglobby)', async () => {
    const cwd = tree({ 'data/a.json': '', 'data/b.csv': '', 'data/c.log': '', 'data/file-1.csv': '', 'data/a+b(1).json': '' });
    expect(names(await resolveInputs(['data/*.{json,csv}'], cwd))).toEqual(['a+b(1).json', 'a.json', 'b.csv', 'file-1.csv']);
    expect(names(await resolveInputs(['data/file-?.[cj]sv'], cwd))).toEqual(['file-1.csv']);
    expect(names(await resolveInputs([join(cwd, 'data/{b,c}.*')], '/'))).toEqual(['b.csv', 'c.log']);
  });

  it('reports a folder the walk cannot read instead of skipping it', async () => {
    const cwd = tree({ 'data/a.json': '', 'data/locked/b.json': '' });
    const denied: typeof readdir = ((path: string, options: never, callback: (e: NodeJS.ErrnoException | null, x?: unknown) => void) =>
      String(path).includes('locked') ? callback(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) : readdir(path, options, callback as never)) as never;
    const found = await matchGlob('data/**/*.json', cwd, denied);
    expect(found.matches).toEqual([join(cwd, 'data/a.json')]);
    expect(found.unreadable).toEqual([join(cwd, 'data/locked')]);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable folder under a glob stops the upload, naming it', async () => {
    const cwd = tree({ 'data/a.json': '', 'data/locked/b.json': '' });
    chmodSync(join(cwd, 'data/locked'), 0o000);
    await expect(resolveInputs(['data/**/*.json'], cwd)).rejects.toThrow(/data\/locked.*check the permissions/);
  });
});
