/** Small helpers shared by the benchmarks. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(name: string, samples: number[], unit = 'ms'): string {
  const fmt = (n: number) => `${n.toFixed(0)} ${unit}`;
  return `${name.padEnd(36)} median ${fmt(median(samples)).padStart(9)}  min ${fmt(Math.min(...samples)).padStart(9)}  max ${fmt(Math.max(...samples)).padStart(9)}  (n=${samples.length})`;
}

/** The p-th percentile (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
