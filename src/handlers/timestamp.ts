/**
 * Strict ISO-8601 (extended format) timestamps → epoch milliseconds.
 *
 * Accepted: `YYYY-MM-DD`, and `YYYY-MM-DDThh:mm[:ss[.fraction]]` with an optional `Z` or `±hh[:mm]`.
 * Rejected: impossible dates (`2026-02-30`, `2026-13-45`), hour 24, leap seconds, week or ordinal
 * dates, the basic format (`20260105T100000Z`), a space instead of `T`.
 *
 * We compute the instant ourselves instead of trusting `Date.parse`: V8 reads a date-time without an
 * offset in the machine's local zone and silently rolls `2026-02-30` over to March. Here a date-time
 * without an offset is UTC, so the result never depends on where the code runs (Lambda is UTC anyway,
 * so this agrees with `new Date(x)` there).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Epoch milliseconds of an ISO-8601 timestamp, or `undefined` when it is not one. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;

  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  // Millisecond precision is all a Date keeps; further digits are truncated.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear afterwards keeps the year as written.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  return date.getTime() - offset * 60_000;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
