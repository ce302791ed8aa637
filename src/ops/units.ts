/** Human units for progress messages and formatters. Pure. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** 850 ms, 4.2 s, 3m 05s, 2h 10m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "3m ago", "2d ago"; "just now" under a second. */
export function formatAge(ms: number): string {
  if (ms < 1000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h ago`;
  return `${Math.floor(ms / 86_400_000)}d ago`;
}

/** `12.5 MiB of 200 MiB, 48.1 MiB/s, ETA 4.0 s` for a transfer that started `elapsedMs` ago. */
export function transferProgress(loaded: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (loaded / elapsedMs) * 1000 : 0;
  const eta = rate > 0 && total > loaded ? `, ETA ${formatDuration(((total - loaded) / rate) * 1000)}` : '';
  return `${formatBytes(loaded)} of ${formatBytes(total)}${rate > 0 ? `, ${formatBytes(rate)}/s` : ''}${eta}`;
}
