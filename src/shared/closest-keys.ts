/** "Did you mean": the keys closest to one that was asked for. Pure. */
import { distance as editDistance } from 'fastest-levenshtein';
import { relativeKey } from '../handlers/contract.js';

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
    const distance = contains ? 0 : editDistance(wanted, name);
    if (distance <= limit) scored.push({ key: candidate, score: contains ? Math.abs(name.length - wanted.length) / 1000 : distance });
  }
  return scored.sort((x, y) => x.score - y.score || x.key.localeCompare(y.key)).slice(0, count).map((s) => s.key);
}

