/**
 * Webhook signatures as payment providers do them: `Tap-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key,
 * "<t>.<raw body>")>`. The timestamp is signed with the body, so a captured request cannot be replayed
 * outside the tolerance window; the comparison is constant-time. Used by the notifier (signing) and by
 * `tap webhook listen` (verifying), and documented in the README for partners. node:crypto only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Tap-Signature';
export const DELIVERY_ID_HEADER = 'Tap-Delivery-Id';

/** How far a signature's time may be from the receiver's clock by default (seconds), as Stripe's 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of `<t>.<body>`. */
export function signaturePayload(key: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The Tap-Signature header value for a body sent at `timestamp` (unix seconds). */
export function signatureHeader(key: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${signaturePayload(key, timestamp, body)}`;
}

export type Verification =
  | { readonly ok: true; readonly timestamp: number; /** Index of the key that matched (keys are tried in order). */ readonly keyIndex: number }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch'; readonly message: string; readonly timestamp?: number };

export interface VerifyOptions {
  /** Seconds; 0 turns the window off. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, unix seconds. */
  readonly now?: number;
}

/**
 * Checks a Tap-Signature header against the raw body with each key in turn (the current one, then
 * the previous one during a rotation). Every v1 value in the header is tried: a sender may sign with
 * two keys while a rotation settles.
 */
export function verifySignature(header: string | undefined, body: string, keys: readonly string[], options: VerifyOptions = {}): Verification {
  if (!header) return { ok: false, reason: 'missing', message: `no ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2) as [string, string?];
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || !signatures.length) {
    return { ok: false, reason: 'malformed', message: `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex digits>` };
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (tolerance > 0 && Math.abs(now - timestamp) > tolerance) {
    return { ok: false, reason: 'expired', timestamp, message: `signed ${now - timestamp} s ago, outside the ${tolerance} s tolerance (a replay, or a clock off)` };
  }
  for (const [keyIndex, key] of keys.entries()) {
    const expected = Buffer.from(signaturePayload(key, timestamp, body), 'hex');
    // Equal lengths (both 32 bytes, checked by the pattern above): timingSafeEqual's requirement.
    if (signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))) return { ok: true, timestamp, keyIndex };
  }
  return { ok: false, reason: 'mismatch', timestamp, message: 'the signature does not match the body with the signing key' };
}
