/**
 * DynamoDB's 32-level nesting limit, checked on the raw request before dynalite parses it (dynalite
 * recurses over attribute values and a few thousand levels end in a RangeError). AWS accepts a scalar
 * inside 31 map/list wrappers and refuses 32 with this ValidationException (wording as AWS answers it).
 */
import { AwsError } from '../../errors.js';

export const MAX_NESTING = 32;

/** No legitimate request is deeper than this in JSON terms (each map/list level is two JSON levels). */
const MAX_JSON_DEPTH = 2 * MAX_NESTING + 12;

export const nestingError = () =>
  new AwsError(
    'ValidationException',
    'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
  );

/**
 * Throws AWS's ValidationException when the request nests attribute values 32 levels deep or more.
 * Invalid JSON passes through: dynalite answers it with AWS's SerializationException.
 */
export function checkNesting(body: Buffer): void {
  if (jsonDepth(body) > MAX_JSON_DEPTH) throw nestingError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return;
  }
  // Count the M and L wrappers on the way down to every value (the JSON depth is bounded above).
  const stack: Array<[unknown, number]> = [[parsed, 0]];
  while (stack.length) {
    const [value, levels] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const inner = levels + (!Array.isArray(value) && (key === 'M' || key === 'L') ? 1 : 0);
      if (inner >= MAX_NESTING) throw nestingError();
      stack.push([child, inner]);
    }
  }
}

/** The deepest `{`/`[` nesting of a JSON text, without parsing it (strings skipped). */
function jsonDepth(body: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
