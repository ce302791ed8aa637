/**
 * Parsing of the values the operating commands take (durations, counts, ratios). Pure; a bad value is
 * a UserError that names the flag and shows a value that would work.
 */
import { UserError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `10m`, `1h`, `2d`, `1w`, or combined (`1h30m`) → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim().toLowerCase();
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (!parts.length || consumed !== value) {
    throw new UserError(`${flag} "${text}" is not a duration. Use a number and a unit (s, m, h, d, w): for example ${flag} 30s, 10m, 1h, 2d or 1h30m.`);
  }
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0);
  if (ms <= 0) throw new UserError(`${flag} must be longer than zero (for example ${flag} 10m).`);
  return Math.round(ms);
}

/** A whole number within [min, max]. */
export function parseCount(text: string | number, flag: string, range: { min?: number; max?: number } = {}): number {
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = range;
  const value = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UserError(`${flag} "${text}" is not valid: use a whole number ${bounds} (for example ${flag} ${Math.max(min, Math.min(max, 10))}).`);
  }
  return value;
}

/** A fraction in [0, 1]; `10%` is accepted too. */
export function parseRatio(text: string | number, flag: string): number {
  const raw = typeof text === 'number' ? String(text) : text.trim();
  const percent = raw.endsWith('%');
  const value = Number(percent ? raw.slice(0, -1) : raw) / (percent ? 100 : 1);
  if (raw === '' || raw === '%' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UserError(`${flag} "${text}" is not valid: use a fraction from 0 to 1 (for example ${flag} 0.1, or 10%).`);
  }
  return value;
}

/** `--timeout`: plain seconds (`120`) or a duration (`2m`). */
export function parseTimeout(text: string, flag = '--timeout'): number {
  return /^\s*\d+\s*$/.test(text) ? parseCount(text, flag) * 1000 : parseDuration(text, flag);
}

/** `--status`: SUCCESS or FAILED, in any case. */
export function parseStatus(text: string): 'SUCCESS' | 'FAILED' {
  const upper = text.trim().toUpperCase();
  if (upper === 'SUCCESS' || upper === 'FAILED') return upper;
  throw new UserError(`--status "${text}" is not a status. Use SUCCESS or FAILED (for example --status FAILED).`);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1_000, mb: 1_000_000, gb: 1_000_000_000, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `8MiB`, `500kb`, `1048576` → bytes, within [min, max]. */
export function parseSize(text: string, flag: string, range: { min: number; max: number }): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  const bytes = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < range.min || bytes > range.max) {
    throw new UserError(`${flag} "${text}" is not valid: use a size from ${range.min} bytes to ${range.max / 1024 ** 3} GiB, with a unit (B, KB, MB, GB, KiB, MiB, GiB), for example ${flag} 8MiB.`);
  }
  return bytes;
}
