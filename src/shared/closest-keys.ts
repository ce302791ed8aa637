/** "Did you mean": the keys closest to one that was asked for. Pure. */
import { relativeKey } from '../handlers/contract.js';

/** Levenshtein distance, with an early exit once every path exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidates closest to `key`, best first: by edit distance over the part after `incoming/`,
 * case-insensitively, with keys that contain the typed name (or its base name) ranked first. Keys
 * further than half the typed name's length are not suggested: they would be noise.
 */
export function closestKeys(key: string, candidates: Iterable<string>, count = 3): string[] {
  const wanted = relativeKey(key).toLowerCase();
  const base = wanted.slice(wanted.lastIndexOf('/') + 1);
  const limit = Math.max(2, Math.ceil(wanted.length / 2));
  const scored: Array<{ key: string; score: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === key) continue;
    const name = relativeKey(candidate).toLowerCase();
    const contains = name.includes(wanted) || (base.length >= 3 && name.includes(base));
    const distance = contains ? 0 : editDistance(wanted, name, limit);
    if (distance <= limit) scored.push({ key: candidate, score: contains ? Math.abs(name.length - wanted.length) / 1000 : distance });
  }
  return scored.sort((x, y) => x.score - y.score || x.key.localeCompare(y.key)).slice(0, count).map((s) => s.key);
}

