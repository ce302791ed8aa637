/**
 * Verifies AWS Signature Version 4 on a request, in both forms: the `Authorization` header and the
 * query string (presigned URLs). The canonical request is rebuilt from only what the client says it
 * signed (`SignedHeaders`), the signature recomputed with the secret of the key the caller's
 * credential source finds (auth/credentials.ts: built-in pairs and the local IAM's Active keys), and
 * compared in constant time. The callers (API Gateway, S3) turn a failure into their own AWS answer.
 *
 * Canonical URI: S3 signs the path as sent; every other service signs it URI-encoded once more
 * (`%` → `%25`), as the SDKs' `uriEscapePath` does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialSource, KnownCredential } from './credentials.js';

export interface SignedParts {
  readonly method: string;
  /** The path as on the wire (still percent-encoded). */
  readonly rawPath: string;
  /** The query string as on the wire, without `?`. */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  /** Node's `rawHeaders`: repeated headers are joined with `,` as SigV4 wants, not `, `. */
  readonly rawHeaders: readonly string[];
  /** The body, for the payload hash when no `x-amz-content-sha256` names it. */
  readonly body?: Buffer;
  readonly service: 'execute-api' | 's3';
}

/** What the request claims, before the signature is checked. */
export interface SignatureClaim {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  readonly scope: { readonly date: string; readonly region: string; readonly service: string };
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Date. */
  readonly date: Date;
  readonly amzDate: string;
  /** X-Amz-Expires (query form). */
  readonly expiresSeconds?: number;
}

export type SigV4Failure =
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'unknown-key'; readonly claim: SignatureClaim }
  | { readonly kind: 'mismatch'; readonly claim: SignatureClaim; readonly canonicalRequest: string; readonly stringToSign: string };

export type SigV4Result = { readonly ok: true; readonly claim: SignatureClaim; readonly credential: KnownCredential } | ({ readonly ok: false } & SigV4Failure);

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Whether the request carries a SigV4 signature at all (either form). */
export function isSigned(parts: Pick<SignedParts, 'headers' | 'rawQuery'>): boolean {
  return /^AWS4-HMAC-SHA256\s/.test(headerValue(parts.headers, 'authorization') ?? '') || /(^|&)X-Amz-Signature=/.test(parts.rawQuery);
}

/** Parses what is claimed; `malformed` names what is wrong, `missing` when nothing is signed. */
export function readClaim(parts: SignedParts): SignatureClaim | SigV4Failure {
  const authorization = headerValue(parts.headers, 'authorization');
  if (authorization !== undefined && authorization.trim() !== '') return headerClaim(authorization, parts);
  const query = new URLSearchParams(parts.rawQuery);
  if (query.has('X-Amz-Signature') || query.has('X-Amz-Credential') || query.has('X-Amz-Algorithm')) return queryClaim(query);
  return { kind: 'missing' };
}

/** Verifies against the key `credentials` finds for the claimed access key id. */
export async function verifySigV4(parts: SignedParts, credentials: Pick<CredentialSource, 'find'>, claimed?: SignatureClaim): Promise<SigV4Result> {
  const claim = claimed ?? readClaim(parts);
  if ('kind' in claim) return { ok: false, ...claim };
  const credential = await credentials.find(claim.accessKeyId);
  if (!credential) return { ok: false, kind: 'unknown-key', claim };
  const key = signingKey(credential.secretAccessKey, claim.scope);
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  for (const payloadHash of payloadHashes(parts, claim)) {
    const canonicalRequest = canonical(parts, claim, payloadHash);
    const stringToSign = [ALGORITHM, claim.amzDate, scopeString(claim.scope), sha256Hex(canonicalRequest)].join('\n');
    first ??= { canonicalRequest, stringToSign };
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    const given = Buffer.from(claim.signature, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, claim, credential };
  }
  return { ok: false, kind: 'mismatch', claim, ...first! };
}

function headerClaim(authorization: string, parts: SignedParts): SignatureClaim | SigV4Failure {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(authorization.trim());
  if (!match) return { kind: 'malformed', message: `Authorization header requires the ${ALGORITHM} algorithm.` };
  const fields = new Map<string, string>();
  for (const piece of match[1]!.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) fields.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
  const amzDate = headerValue(parts.headers, 'x-amz-date');
  if (!amzDate) missing.push('X-Amz-Date');
  if (missing.length > 0) {
    return { kind: 'malformed', message: missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' ') + ` Authorization=${authorization}` };
  }
  return claimFrom('header', fields.get('Credential')!, fields.get('SignedHeaders')!, fields.get('Signature')!, amzDate!, undefined);
}

function queryClaim(query: URLSearchParams): SignatureClaim | SigV4Failure {
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];
  const missing = names.filter((n) => !query.get(n));
  if (missing.length > 0) return { kind: 'malformed', message: `Query-string authentication requires the ${missing.join(', ')} parameter${missing.length > 1 ? 's' : ''}.` };
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return { kind: 'malformed', message: `X-Amz-Algorithm only supports "${ALGORITHM}".` };
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0) return { kind: 'malformed', message: 'X-Amz-Expires should be a number.' };
  return claimFrom('query', query.get('X-Amz-Credential')!, query.get('X-Amz-SignedHeaders')!, query.get('X-Amz-Signature')!, query.get('X-Amz-Date')!, expires);
}

function claimFrom(form: SignatureClaim['form'], credential: string, signedHeaders: string, signature: string, amzDate: string, expires: number | undefined): SignatureClaim | SigV4Failure {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    return { kind: 'malformed', message: `Credential should be a 5-part value <key>/<date>/<region>/<service>/aws4_request; got ${credential}.` };
  }
  const date = parseAmzDate(amzDate);
  if (!date) return { kind: 'malformed', message: `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"; got ${amzDate}.` };
  if (!/^[0-9a-f]{64}$/.test(signature)) return { kind: 'malformed', message: 'The signature must be 64 lower-case hex digits.' };
  return {
    form,
    accessKeyId: parts[0]!,
    scope: { date: parts[1]!, region: parts[2]!, service: parts[3]! },
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
    date,
    amzDate,
    ...(expires !== undefined && { expiresSeconds: expires }),
  };
}

export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `Date` → `20260101T120000Z`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function payloadHashes(parts: SignedParts, claim: SignatureClaim): string[] {
  if (parts.service === 's3') {
    // S3 signs what x-amz-content-sha256 declares (it checks the body against it when it stores it).
    const declared = headerValue(parts.headers, 'x-amz-content-sha256') ?? new URLSearchParams(parts.rawQuery).get('X-Amz-Content-Sha256') ?? undefined;
    return [declared ?? (claim.form === 'query' ? 'UNSIGNED-PAYLOAD' : sha256Hex(parts.body ?? Buffer.alloc(0)))];
  }
  // Other services hash the body they received, whatever a header claims: a changed body fails.
  const body = sha256Hex(parts.body ?? Buffer.alloc(0));
  return claim.form === 'query' ? [body, 'UNSIGNED-PAYLOAD'] : [body];
}

function canonical(parts: SignedParts, claim: SignatureClaim, payloadHash: string): string {
  const path = parts.rawPath || '/';
  return [
    parts.method.toUpperCase(),
    parts.service === 's3' ? path : path.split('/').map(strictEncode).join('/'),
    canonicalQuery(parts.rawQuery, claim.form === 'query'),
    claim.signedHeaders.map((h) => `${h}:${canonicalHeaderValue(parts.rawHeaders, h)}\n`).join(''),
    claim.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: Array<[string, string]> = [];
  for (const piece of rawQuery.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = safeDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(piece.slice(eq + 1));
    if (presigned && name === 'X-Amz-Signature') continue;
    pairs.push([strictEncode(name), strictEncode(value)]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaderValue(rawHeaders: readonly string[], name: string): string {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!.trim().replace(/\s+/g, ' '));
  }
  return values.join(',');
}

/** RFC 3986 unreserved characters stay; every other byte is %XX (upper case), as SigV4 wants. */
export function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function signingKey(secret: string, scope: SignatureClaim['scope']): Buffer {
  let key = createHmac('sha256', `AWS4${secret}`).update(scope.date).digest();
  for (const part of [scope.region, scope.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return key;
}

const scopeString = (s: SignatureClaim['scope']) => `${s.date}/${s.region}/${s.service}/aws4_request`;
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
