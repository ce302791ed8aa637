/**
 * The webhook URL as a deploy setting: checked, and remembered as a stack tag.
 *
 * Tag values allow only letters, digits, spaces and `_ . : / = + - @` (at most 256 characters), and a
 * webhook URL often carries `?`, `&`, `%` or `~`. It is stored with `=XX` escapes (the UTF-8 bytes of
 * every other character, quoted-printable style): the common characters of a URL stay as they are, so
 * the tag is still readable in the console, `=` is the only escape character (so `=` itself is `=3D`),
 * and decoding is exact. Base64 would fit the alphabet too, but is unreadable and a third longer.
 */
import { UserError } from './errors.js';

/** CloudFormation's limit for a tag value. */
const TAG_VALUE_MAX = 256;
const KEPT = /[A-Za-z0-9_.:/+\-@]/;

export function encodeTagValue(text: string): string {
  let out = '';
  for (const char of text) {
    if (KEPT.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeTagValue(tag: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < tag.length; i++) {
    const escaped = tag[i] === '=' ? /^[0-9A-F]{2}$/.exec(tag.slice(i + 1, i + 3)) : null;
    if (escaped) {
      bytes.push(parseInt(escaped[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(tag[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A webhook URL for `--webhook-url`: absolute http(s), and short enough to remember (see above). */
export function parseWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--webhook-url must be an absolute http:// or https:// URL, not "${text}" (to turn delivery off: --webhook-url '').`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`--webhook-url must use https:// (or http:// for a local receiver), not ${url.protocol}//.`);
  }
  if (url.username || url.password) {
    throw new UserError('--webhook-url must not carry a user name or password: it is stored as a stack tag that anyone who can describe the stack reads. Verify deliveries by their Tap-Signature instead.');
  }
  const encoded = encodeTagValue(text);
  if (encoded.length > TAG_VALUE_MAX) {
    throw new UserError(`--webhook-url is too long to remember on the stack: ${encoded.length} characters once encoded as a tag value, at most ${TAG_VALUE_MAX}. Use a shorter URL.`);
  }
  return text;
}
