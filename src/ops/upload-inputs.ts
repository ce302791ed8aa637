/**
 * `tap upload` arguments → the files to upload. Every argument is checked before anything is sent,
 * so a typo in the third argument does not leave the first two uploaded.
 *
 * An argument is a file, a directory (its files of the formats the processor reads, not recursive)
 * or a glob (`*`, `?`, `[abc]`, `**` for any depth) for shells that did not expand it.
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
    if (info.code === 'ENOENT' && /[*?[]/.test(arg)) return glob(arg, cwd);
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
  const absolute = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  const segments = absolute.split(sep);
  const firstMagic = segments.findIndex((s) => /[*?[]/.test(s));
  const root = segments.slice(0, firstMagic).join(sep) || sep;
  const matcher = globToRegExp(segments.slice(firstMagic).join('/'));
  const matches: string[] = [];
  const deep = segments.slice(firstMagic).includes('**');
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isDirectory() && (deep || depth < segments.length - firstMagic - 1)) await walk(full, depth + 1);
      else if (entry.isFile() && matcher.test(rel)) matches.push(full);
    }
  };
  await walk(root, 0);
  if (!matches.length) throw new UserError(`${pattern}: no files match.`);
  return Promise.all(matches.sort().map((m) => checkFile(m, relative(cwd, m) || m)));
}

/** A glob (`/` separated) → a RegExp over `/` separated relative paths. `*` stays within a folder. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches anything.
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:[^/]+/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
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
