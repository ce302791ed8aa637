/** Plain-text tables and the small value formats the operating commands share. Pure. */
import { stripVTControlCharacters } from 'node:util';

const width = (s: string) => stripVTControlCharacters(s).length;

/** Rows of cells → lines with columns padded to the widest cell (ANSI colours do not count). */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)))).join('  ')}`.trimEnd());
}

/** `2026-01-05T10:00:03.123Z` → `2026-01-05 10:00:03` (UTC, as the table stores it). */
export function shortTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * 12345 → `12,345`. By hand: the first toLocaleString() of a process loads ICU's locale data, tens
 * of ms of a `tap status` that is otherwise a few requests.
 */
export function count(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [whole, fraction] = String(Math.abs(Math.round(n * 1000) / 1000)).split('.');
  return `${n < 0 ? '-' : ''}${whole!.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** Long version ids and messages, cut for a table cell. */
export function cut(text: string | undefined, max: number): string {
  if (!text) return '';
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** `1 file`, `2 files`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
