/**
 * What DynamoDB can store, checked per record before anything is written, so that a record AWS would
 * refuse is one rejected record with a reason instead of a failed BatchWriteItem. Pure.
 *
 * From the DynamoDB developer guide (Constraints; Item sizes and formats):
 * - Nesting: 32 levels, a top-level attribute's value being level 1. We refuse a container at
 *   level 32 as well as any value below it (AWS accepts 31 maps around a scalar, not 32).
 * - Numbers: up to 38 significant digits, magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125
 *   (or zero). JSON's `1e400` reads as Infinity, which has no DynamoDB form at all.
 * - Attribute names: not empty (we also refuse empty keys inside maps).
 * - Item size: 400 KB, counted as names + values: UTF-8 bytes for strings, about 1 byte per 2
 *   significant digits + 1 for numbers, 1 for booleans and null, 3 per list or map plus 1 per element.
 *
 * The walk is iterative (an explicit stack) so that no record, however deep, can exhaust the call stack.
 */

export const MAX_NESTING_LEVELS = 32;
export const MAX_ITEM_BYTES = 400 * 1024;
const MAX_DIGITS = 38;
const MAX_MAGNITUDE = 9.9999999999999999999999999999999999999e125;
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
  let size = extraBytes;
  // [value, level, path]; the record itself is level 0, its attributes' values level 1.
  const stack: [unknown, number, string | null][] = [[record, 0, null]];
  while (stack.length > 0) {
    const [value, level, path] = stack.pop()!;
    if (typeof value === 'string') {
      size += utf8Bytes(value);
    } else if (typeof value === 'number') {
      const problem = numberProblem(value);
      if (problem) return { field: path, reason: problem };
      size += numberBytes(value);
    } else if (typeof value === 'object' && value !== null) {
      if (level >= MAX_NESTING_LEVELS) {
        return { field: path, reason: `nested deeper than DynamoDB's limit of ${MAX_NESTING_LEVELS} levels` };
      }
      if (level > 0) size += 3;
      if (Array.isArray(value)) {
        size += value.length;
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], level + 1, `${path ?? ''}[${i}]`]);
      } else {
        const keys = Object.keys(value);
        if (level > 0) size += keys.length;
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          const child = path === null ? key : `${path}.${key}`;
          if (key === '') return { field: child, reason: 'field names must not be empty' };
          size += utf8Bytes(key);
          stack.push([(value as Record<string, unknown>)[key], level + 1, child]);
        }
      }
    } else {
      size += 1; // boolean, null (undefined is dropped when writing)
    }
    if (size > MAX_ITEM_BYTES) return { field: null, reason: `larger than DynamoDB's ${MAX_ITEM_BYTES / 1024} KB item limit` };
  }
  return undefined;
}

/** Why DynamoDB cannot store `n`, or undefined. */
export function numberProblem(n: number): string | undefined {
  if (!Number.isFinite(n)) return `number ${n} cannot be stored (only finite numbers can)`;
  const magnitude = Math.abs(n);
  if (magnitude > MAX_MAGNITUDE) return `number ${n} is beyond DynamoDB's range (magnitude at most 9.99…E+125)`;
  if (magnitude !== 0 && magnitude < MIN_MAGNITUDE) return `number ${n} is too small for DynamoDB (nonzero magnitude at least 1E-130)`;
  if (significantDigits(n) > MAX_DIGITS) return `number ${n} has more than ${MAX_DIGITS} significant digits`;
  return undefined;
}

/** Digits of the decimal form the SDK sends (String(n)), without sign, exponent and outer zeros. */
function significantDigits(n: number): number {
  const mantissa = String(Math.abs(n)).split('e')[0]!.replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length || 1;
}

/** ~1 byte per 2 significant digits + 1; the most a number can take is 21 bytes. */
function numberBytes(n: number): number {
  return Math.min(21, Math.ceil(significantDigits(n) / 2) + 1);
}

/** UTF-8 length without encoding: exact for well-formed strings, an overestimate for lone surrogates. */
function utf8Bytes(s: string): number {
  // Most strings are short ASCII; Buffer.byteLength is fast but has a call cost worth skipping.
  if (s.length < 32) {
    let bytes = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a surrogate pair counts 3 + 3 ≥ 4
    }
    return bytes;
  }
  return Buffer.byteLength(s, 'utf8');
}
