/**
 * The listing engine behind ListObjects(V2) and ListObjectVersions: keys in S3's order from a marker,
 * filtered by prefix, folded into CommonPrefixes by the delimiter, cut at max-keys (a common prefix
 * counts as one entry). A marker that is itself a common prefix resumes after everything under it.
 */
import { invalidArgument } from './errors.js';
import { compareKeys, type BucketIndex, type ObjectVersion } from './objects.js';

export interface ListInput {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  /** Exclusive: listing starts after this key (or after this common prefix). */
  readonly after?: string;
}

export interface ListOutput {
  /** Latest versions (objects only; keys whose newest version is a delete marker are skipped). */
  readonly contents: ObjectVersion[];
  readonly commonPrefixes: string[];
  readonly truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  readonly last?: string;
}

export function listCurrent(index: BucketIndex, input: ListInput): ListOutput {
  const contents: ObjectVersion[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  walk(index, input, input.after, false, (key, cp) => {
    if (cp === undefined) {
      const latest = index.latest(key);
      if (!latest || latest.deleteMarker) return 'skip';
      if (contents.length + commonPrefixes.length >= input.maxKeys) return (truncated = true), 'stop';
      contents.push(latest);
      last = key;
      return 'next';
    }
    if (!hasVisibleUnder(index, cp)) return 'skip';
    if (contents.length + commonPrefixes.length >= input.maxKeys) return (truncated = true), 'stop';
    commonPrefixes.push(cp);
    last = cp;
    return 'next';
  });
  return { contents, commonPrefixes, truncated, ...(last !== undefined && { last }) };
}

/** Keys whose newest version is a delete marker are invisible, and so is a prefix holding only those. */
function hasVisibleUnder(index: BucketIndex, prefix: string): boolean {
  const keys = index.keys();
  for (let i = index.seek(prefix, true); i < keys.length && keys[i]!.startsWith(prefix); i++) {
    if (!index.latest(keys[i]!)?.deleteMarker) return true;
  }
  return false;
}

export interface VersionListInput {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
}

export interface VersionListOutput {
  /** Versions and delete markers, by key, newest first within a key. */
  readonly versions: ObjectVersion[];
  readonly commonPrefixes: string[];
  readonly truncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextVersionIdMarker?: string;
}

export function listVersions(index: BucketIndex, input: VersionListInput): VersionListOutput {
  const versions: ObjectVersion[] = [];
  const commonPrefixes: string[] = [];
  // Assigned inside the walk's callback, which control-flow narrowing does not see.
  let truncated = false as boolean;
  let nextKeyMarker = undefined as string | undefined;
  let nextVersionIdMarker = undefined as string | undefined;
  const full = () => versions.length + commonPrefixes.length >= input.maxKeys;
  // With a version-id marker, the marker key itself still has versions after that one to list.
  const resumeInKey = input.keyMarker !== undefined && input.versionIdMarker ? input.keyMarker : undefined;
  walk(index, input, input.keyMarker, resumeInKey !== undefined, (key, cp) => {
    if (cp !== undefined) {
      if (full()) return (truncated = true), 'stop';
      commonPrefixes.push(cp);
      nextKeyMarker = cp;
      nextVersionIdMarker = undefined;
      return 'next';
    }
    let list = index.versionsOf(key);
    if (key === resumeInKey) {
      const at = list.findIndex((v) => v.versionId === input.versionIdMarker);
      if (at < 0 && input.versionIdMarker !== 'null') throw invalidArgument('Invalid version id specified', 'version-id-marker', input.versionIdMarker ?? '');
      list = list.slice(at + 1);
    }
    for (const version of list) {
      if (full()) return (truncated = true), 'stop';
      versions.push(version);
      nextKeyMarker = key;
      nextVersionIdMarker = version.versionId;
    }
    return 'next';
  });
  return {
    versions,
    commonPrefixes,
    truncated,
    ...(truncated && nextKeyMarker !== undefined && { nextKeyMarker }),
    ...(truncated && nextVersionIdMarker !== undefined && { nextVersionIdMarker }),
  };
}

/** The common prefix a key folds into, if the delimiter occurs after the prefix. */
export function commonPrefixOf(key: string, prefix: string, delimiter?: string): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

type Visit = (key: string, commonPrefix: string | undefined) => 'next' | 'skip' | 'stop';

function walk(index: BucketIndex, input: { prefix: string; delimiter?: string }, marker: string | undefined, inclusive: boolean, visit: Visit): void {
  const keys = index.keys();
  const useMarker = marker !== undefined && compareKeys(marker, input.prefix) >= 0;
  const skipPrefix = useMarker && commonPrefixOf(marker, input.prefix, input.delimiter) === marker ? marker : undefined;
  let lastPrefix: string | undefined;
  for (let i = useMarker ? index.seek(marker, inclusive) : index.seek(input.prefix, true); i < keys.length; i++) {
    const key = keys[i]!;
    // Keys under the prefix are contiguous in S3's order: the first one outside ends the listing.
    if (!key.startsWith(input.prefix)) break;
    const cp = commonPrefixOf(key, input.prefix, input.delimiter);
    if (cp !== undefined && (cp === skipPrefix || cp === lastPrefix)) continue;
    const outcome = visit(key, cp);
    if (outcome === 'stop') return;
    if (cp !== undefined) lastPrefix = cp;
  }
}

/** `max-keys` as S3 reads it: default and cap 1000. */
export function maxKeysParam(value: string | null, name = 'max-keys'): number {
  if (value === null || value === '') return 1000;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw invalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  }
  return Math.min(n, 1000);
}
