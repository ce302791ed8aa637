/**
 * `tap upload` arguments → the files to upload. Every argument is checked before anything is sent,
 * so a typo in the third argument does not leave the first two uploaded.
 *
 * An argument is a file, a directory (its files of the formats the processor reads, not recursive)
 * or a glob (`*`, `?`, `[abc]`, `{a,b}`, `**` for any depth) for shells that did not expand it.
 */
import * as fs from 'node:fs';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { INPUT_EXTENSIONS, inputFormatOf } from '../handlers/contract.js';
import { UserError } from './errors.js';

export interface InputFile {
  /** Absolute path. */
  readonly path: string;
  /** The file name the key ends with. */
  readonly name: string;
  readonly size: number;
}

/** Whether the processor reads files of this name (the contract's INPUT_FORMATS). */
export const isReadableFormat = (name: string) => inputFormatOf(name) !== undefined;

export async function resolveInputs(args: readonly string[], cwd: string): Promise<InputFile[]> {
  if (!args.length) throw new UserError('Nothing to upload: pass files, directories or globs (tap upload shipments.json), or --generate N.');
  const found: InputFile[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    try {
      found.push(...(await expand(arg, cwd)));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length) throw new UserError(`Nothing was uploaded:\n  ${problems.join('\n  ')}`);
  return dedupe(found);
}

async function expand(arg: string, cwd: string): Promise<InputFile[]> {
  const path = resolve(cwd, arg);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    if (info.code === 'ENOENT' && /[*?[{]/.test(arg)) return glob(arg, cwd);
    if (info.code === 'ENOENT') throw new UserError(`${arg}: no such file or directory.`);
    throw new UserError(`${arg}: cannot be read (${info.code ?? info.message}).`);
  }
  if (info.isDirectory()) {
    const names = (await readdir(path, { withFileTypes: true }).catch(() => {
      throw new UserError(`${arg}: the directory cannot be read (check its permissions).`);
    }))
      .filter((e) => e.isFile() && isReadableFormat(e.name))
      .map((e) => e.name)
      .sort();
    if (!names.length) throw new UserError(`${arg}: the directory has no ${INPUT_EXTENSIONS.join(', ')} files.`);
    return Promise.all(names.map((name) => checkFile(join(path, name), join(arg, name))));
  }
  if (!info.isFile()) throw new UserError(`${arg}: not a regular file.`);
  return [await checkFile(path, arg)];
}

async function checkFile(path: string, shown: string): Promise<InputFile> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new UserError(`${shown}: not readable (check its permissions).`);
  }
  return { path, name: basename(path), size: (await stat(path)).size };
}

async function glob(pattern: string, cwd: string): Promise<InputFile[]> {
  const { matches, unreadable } = await matchGlob(pattern, cwd);
  // A folder the walk could not enter may hold files the pattern meant: say so rather than upload less.
  if (unreadable.length) throw new UserError(`${pattern}: cannot read ${unreadable.map((d) => relative(cwd, d) || d).join(', ')} (check the permissions, or narrow the pattern).`);
  if (!matches.length) throw new UserError(`${pattern}: no files match.`);
  return Promise.all(matches.map((m) => checkFile(m, relative(cwd, m) || m)));
}

/**
 * The files a glob matches (tinyglobby: `*`, `?`, `[abc]`, `{a,b}`, `**` for any depth; names
 * starting with a dot included, as before), sorted, and the folders the walk could not read.
 * `readdir` is node's unless a test gives another.
 */
export async function matchGlob(pattern: string, cwd: string, readdir: typeof fs.readdir = fs.readdir): Promise<{ matches: string[]; unreadable: string[] }> {
  const { glob: tinyglobby } = await import('tinyglobby');
  const unreadable: string[] = [];
  const watched = ((path: fs.PathLike, options: object, callback: (error: NodeJS.ErrnoException | null, entries: fs.Dirent[]) => void) =>
    readdir(path, options as { withFileTypes: true }, (error, entries) => {
      // A folder that is not there has nothing to match; one that is there but cannot be read might.
      if (error && error.code !== 'ENOENT' && error.code !== 'ENOTDIR') unreadable.push(resolve(cwd, String(path)));
      callback(error, entries);
    })) as unknown as typeof fs.readdir;
  const matches = await tinyglobby(pattern, { cwd, absolute: true, onlyFiles: true, dot: true, expandDirectories: false, fs: { readdir: watched } });
  return { matches: matches.map((m) => resolve(m)).sort(), unreadable: [...new Set(unreadable)].sort() };
}

/** The same file named twice is uploaded once; two files with one name would overwrite each other. */
function dedupe(files: InputFile[]): InputFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const byName = new Map<string, string>();
  for (const file of byPath.values()) {
    const other = byName.get(file.name);
    if (other) throw new UserError(`Nothing was uploaded: ${other} and ${file.path} would both upload as ${file.name}. Upload them separately with different --prefix values.`);
    byName.set(file.name, file.path);
  }
  return [...byPath.values()];
}
