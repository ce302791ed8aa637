/** Property comparison as CloudFormation does it: values compared as written, numbers and strings alike. */
import type { ResourceProvider } from '../providers/types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  // Templates write 5 or "5", true or "true": AWS treats them as the same property value.
  return value === null || value === undefined ? value : String(value);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Top-level property names whose values differ. */
export function changedKeys(next: Record<string, unknown>, previous: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(next), ...Object.keys(previous)]);
  return [...keys].filter((k) => !sameValue(next[k], previous[k])).sort();
}

export type Recreation = 'Never' | 'Conditionally' | 'Always';

export function recreationOf(provider: ResourceProvider | undefined, key: string): Recreation {
  if (!provider?.update || provider.replaceOn?.includes(key)) return 'Always';
  if (provider.mayReplaceOn?.includes(key)) return 'Conditionally';
  return 'Never';
}

/** Does this change replace the resource? (Known values: conditional properties ask the provider.) */
export function needsReplacement(provider: ResourceProvider, changed: readonly string[], next: Record<string, unknown>, previous: Record<string, unknown>): boolean {
  if (!provider.update) return changed.length > 0;
  if (changed.some((k) => provider.replaceOn?.includes(k))) return true;
  const conditional = changed.filter((k) => provider.mayReplaceOn?.includes(k));
  return conditional.length > 0 && (provider.needsReplacement?.(conditional, next, previous) ?? true);
}
