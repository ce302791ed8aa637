/**
 * What DynamoDB can store, checked per record before anything is written, so that a record AWS would
 * refuse is one rejected record with a reason instead of a failed BatchWriteItem. Pure.
 *
 * From the DynamoDB developer guide (Constraints; Item sizes and formats):
 * - Nesting: 32 levels, a top-level attribute's value being level 1. We refuse a container at
 *   level 32 as well as any value below it (AWS accepts 31 maps around a scalar, not 32).
 * - Numbers: magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125 (or zero), up to 38
 *   significant digits. JSON's `1e400` reads as Infinity, which has no DynamoDB form at all. Precision
 *   needs no check: a parsed number is a double, whose shortest decimal form has at most 17 digits
 *   (digits beyond that in the file were rounded by parsing, as any JSON reader does).
 * - Attribute names: not empty (we also refuse empty keys inside maps).
 * - Item size: 400 KB, counted as names + values: UTF-8 bytes for strings, about 1 byte per 2
 *   significant digits + 1 for numbers, 1 for booleans and null, 3 per list or map plus 1 per element.
 *
 * The walk never goes below level 32, so no record, however deep, can exhaust the call stack.
 */

export const MAX_NESTING_LEVELS = 32;
export const MAX_ITEM_BYTES = 400 * 1024;
// 9.9999999999999999999999999999999999999E+125 rounds to the double 1e126, which DynamoDB refuses;
// every double below 1e126 is within the limit.
const TOO_LARGE = 1e126;
const MIN_MAGNITUDE = 1e-130;

export interface LimitProblem {
  /** Path of the offending value, e.g. `dims.items[3]`; null for the record as a whole. */
  field: string | null;
  reason: string;
}

/**
 * The first thing about `record` (a plain object parsed from JSON, CSV or a log line) that DynamoDB
 * would refuse, or undefined. `extraBytes` is the size of attributes the caller adds before writing.
 */
export function storageProblem(record: Record<string, unknown>, extraBytes = 0): LimitProblem | undefined {
  // First with a cheap upper bound for strings (3 bytes per UTF-16 unit); only a record that might
  // be too large is measured exactly.
  let problem = new Walk(extraBytes, false).object(record, 0);
  if (problem?.tooLarge) problem = new Walk(extraBytes, true).object(record, 0);
  if (problem) return { field: problem.tooLarge || problem.path.length === 0 ? null : formatPath(problem.path), reason: problem.reason };
  return undefined;
}

interface Found {
  /** Keys and indexes from the record down to the value, innermost last (filled in on the way up). */
  path: (string | number)[];
  reason: string;
  tooLarge?: boolean;
}

/**
 * Recursion is safe here: it stops at MAX_NESTING_LEVELS, whatever the value's real depth, and it
 * allocates nothing per value unless something is wrong (this runs for every record).
 */
class Walk {
  constructor(
    private size: number,
    private readonly exact: boolean,
  ) {}

  private bytes(s: string): number {
    return this.exact ? utf8Bytes(s) : s.length * 3;
  }

  object(value: Record<string, unknown>, level: number): Found | undefined {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === '') return { path: [key], reason: 'field names must not be empty' };
      this.size += this.bytes(key) + (level > 0 ? 1 : 0);
      const found = this.value(value[key], level + 1);
      if (found) {
        found.path.unshift(key);
        return found;
      }
    }
    return undefined;
  }

  value(value: unknown, level: number): Found | undefined {
    let found: Found | undefined;
    if (typeof value === 'string') {
      this.size += this.bytes(value);
    } else if (typeof value === 'number') {
      const problem = numberProblem(value);
      if (problem) return { path: [], reason: problem };
      this.size += numberBytes(value);
    } else if (typeof value === 'object' && value !== null) {
      if (level >= MAX_NESTING_LEVELS) return { path: [], reason: `nested deeper than DynamoDB's limit of ${MAX_NESTING_LEVELS} levels` };
      this.size += 3;
      if (Array.isArray(value)) {
        this.size += value.length;
        for (let i = 0; i < value.length && !found; i++) {
          found = this.value(value[i], level + 1);
          if (found) found.path.unshift(i);
        }
      } else {
        found = this.object(value as Record<string, unknown>, level);
      }
    } else {
      this.size += 1; // boolean, null (undefined is dropped when writing)
    }
    if (!found && this.size > MAX_ITEM_BYTES) found = { path: [], reason: `larger than DynamoDB's ${MAX_ITEM_BYTES / 1024} KB item limit`, tooLarge: true };
    return found;
  }
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Why DynamoDB cannot store `n`, or undefined. */
export function numberProblem(n: number): string | undefined {
  if (!Number.isFinite(n)) return `number ${n} cannot be stored (only finite numbers can)`;
  const magnitude = Math.abs(n);
  if (magnitude >= TOO_LARGE) return `number ${n} is beyond DynamoDB's range (magnitude at most 9.99…E+125)`;
  if (magnitude !== 0 && magnitude < MIN_MAGNITUDE) return `number ${n} is too small for DynamoDB (nonzero magnitude at least 1E-130)`;
  return undefined;
}

/** ~1 byte per 2 significant digits + 1; the most a number can take is 21 bytes. */
function numberBytes(n: number): number {
  // Doubles have at most 17 significant digits: 10 bytes. Counting them exactly is not worth it.
  return Number.isInteger(n) && Math.abs(n) < 100 ? 2 : 10;
}

/** UTF-8 length (a lone surrogate counts 3, as the U+FFFD it would be sent as). */
function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
