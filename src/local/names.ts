import { createHash } from 'node:crypto';

/**
 * The one way a user-chosen name (bucket, queue, log group, parameter, function, role, stack, alarm,
 * region…) becomes a file or folder name. The result is a single path component that:
 * - cannot escape its folder: `/`, `\`, NUL and every byte outside `[a-z0-9._-]` become `%xx`, and a
 *   leading or trailing `.` is escaped too, so `.`, `..` and hidden files cannot come out;
 * - cannot collide on a case-insensitive file system (macOS, Windows): an uppercase letter becomes
 *   `^` + the letter, so `Orders` is `^orders` and `orders` stays `orders`; the output is all lowercase;
 * - avoids Windows' reserved device names (`con`, `nul.json`, `com1`…) by escaping their first letter;
 * - fits every file system's 255-byte limit with room for suffixes (`.json`, temp files): a longer
 *   encoding keeps a readable prefix and ends in `~` + 32 hex of the name's SHA-256. `~` never occurs
 *   otherwise, so the short and long forms cannot meet.
 * Short results decode back (`decodeFsName`); files hold the real name anyway, so long ones need not.
 */
export function fsName(name: string): string {
  // The same few names (a stack's ARN, a region, a bucket) are encoded at every write: remembered.
  let out = encoded.get(name);
  if (out === undefined) {
    if (encoded.size >= MAX_REMEMBERED) encoded.clear();
    encoded.set(name, (out = encode(name)));
  }
  return out;
}

const encoded = new Map<string, string>();
const MAX_REMEMBERED = 10_000;

function encode(name: string): string {
  if (name === '') return '~';
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    if ((byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f || byte === 0x2e) {
      out += String.fromCharCode(byte);
    } else if (byte >= 0x41 && byte <= 0x5a) {
      out += '^' + String.fromCharCode(byte + 0x20);
    } else {
      out += escapeByte(byte);
    }
  }
  if (out.startsWith('.')) out = '%2e' + out.slice(1);
  if (out.endsWith('.')) out = out.slice(0, -1) + '%2e';
  if (RESERVED.test(out)) out = escapeByte(out.charCodeAt(0)) + out.slice(1);
  if (out.length <= MAX_LENGTH) return out;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
  // Cut outside an escape so the prefix stays decodable by eye.
  let cut = PREFIX_LENGTH;
  while (cut > 0 && (out[cut - 1] === '^' || out[cut - 1] === '%' || out[cut - 2] === '%')) cut--;
  return `${out.slice(0, cut)}~${hash}`;
}

/** The name `fsName` encoded, or undefined for a hashed (long) or foreign file name. */
export function decodeFsName(encoded: string): string | undefined {
  if (encoded === '~') return '';
  if (encoded.includes('~') || !/^(?:[a-z0-9._-]|\^[a-z]|%[0-9a-f]{2})+$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i]!;
    if (c === '^') bytes.push(encoded.charCodeAt(++i) - 0x20);
    else if (c === '%') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  const name = Buffer.from(bytes).toString('utf8');
  return fsName(name) === encoded ? name : undefined;
}

function escapeByte(byte: number): string {
  return `%${byte.toString(16).padStart(2, '0')}`;
}

const MAX_LENGTH = 180;
const PREFIX_LENGTH = 140;
/** Windows device names, also with an extension (`nul.json` is the device too). */
const RESERVED = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)/;
