/**
 * POST policies (browser-based uploads, `@aws-sdk/s3-presigned-post`): the base64 policy is signed
 * with SigV4's key; its `expiration` and `conditions` (`{field: value}`, `eq`, `starts-with`,
 * `content-length-range`) must hold for the form, and every form field must be covered by a condition.
 * Answers as S3 does: 403 AccessDenied "Invalid according to Policy: …", 400 EntityTooLarge/Small.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CredentialSource } from '../../auth/credentials.js';
import { parseAmzDate, signingKey } from '../../auth/sigv4.js';
import { AwsError } from '../../errors.js';

const policyError = (detail: string) => new AwsError('AccessDenied', `Invalid according to Policy: ${detail}`, 403);

/** Form fields by lower-cased name (S3 matches them case-insensitively), plus the file's size. */
export interface PostForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly size: number;
}

/** Fields a policy need not mention. */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy']);

export async function checkPolicy(form: PostForm, bucket: string, credentials: CredentialSource, now = new Date()): Promise<void> {
  const policy64 = form.fields.get('policy');
  const signature = form.fields.get('x-amz-signature');
  if (!policy64 || !signature) throw new AwsError('AccessDenied', 'Access Denied', 403);
  await verifyPolicySignature(form, policy64, signature, credentials);
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policy64, 'base64').toString('utf8'));
  } catch {
    throw new AwsError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.', 400);
  }
  const expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : NaN;
  if (Number.isNaN(expiration)) throw new AwsError('InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.', 400);
  if (expiration < now.getTime()) throw policyError('Policy expired.');
  if (!Array.isArray(policy.conditions)) throw new AwsError('InvalidPolicyDocument', 'Invalid Policy: Policy missing conditions.', 400);

  const covered = new Set<string>();
  for (const condition of policy.conditions as unknown[]) {
    const check = normalize(condition);
    if (check.op === 'range') {
      if (form.size > check.max) throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { fields: { ProposedSize: String(form.size), MaxSizeAllowed: String(check.max) } });
      if (form.size < check.min) throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, { fields: { ProposedSize: String(form.size), MinSizeAllowed: String(check.min) } });
      continue;
    }
    covered.add(check.field);
    const actual = check.field === 'bucket' ? bucket : form.fields.get(check.field);
    const holds = check.op === 'eq' ? actual === check.value : actual !== undefined && actual.startsWith(check.value);
    if (!holds) throw policyError(`Policy Condition failed: ${JSON.stringify(check.original)}`);
  }
  const extra = [...form.fields.keys()].filter((f) => !EXEMPT.has(f) && !f.startsWith('x-ignore-') && !covered.has(f));
  if (extra.length > 0) throw policyError(`Extra input fields: ${extra.join(', ')}`);
}

type Check = { op: 'eq' | 'starts-with'; field: string; value: string; original: unknown } | { op: 'range'; min: number; max: number };

function normalize(condition: unknown): Check {
  if (Array.isArray(condition)) {
    const [op, a, b] = condition as unknown[];
    const name = String(op).toLowerCase();
    if (name === 'content-length-range' && Number.isInteger(Number(a)) && Number.isInteger(Number(b))) return { op: 'range', min: Number(a), max: Number(b) };
    if ((name === 'eq' || name === 'starts-with') && typeof a === 'string' && a.startsWith('$') && typeof b === 'string') {
      return { op: name, field: a.slice(1).toLowerCase(), value: b, original: condition };
    }
  } else if (condition && typeof condition === 'object' && Object.keys(condition).length === 1) {
    const [field, value] = Object.entries(condition)[0]!;
    if (typeof value === 'string') return { op: 'eq', field: field.toLowerCase(), value, original: condition };
  }
  throw new AwsError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`, 400);
}

async function verifyPolicySignature(form: PostForm, policy64: string, signature: string, credentials: CredentialSource): Promise<void> {
  if (form.fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new AwsError('InvalidArgument', 'POST requires the x-amz-algorithm AWS4-HMAC-SHA256 field (SigV4).', 400);
  }
  const credential = (form.fields.get('x-amz-credential') ?? '').split('/');
  const date = parseAmzDate(form.fields.get('x-amz-date') ?? '');
  if (credential.length !== 5 || !date) throw new AwsError('InvalidArgument', 'POST requires the x-amz-credential and x-amz-date fields.', 400);
  const known = await credentials.find(credential[0]!);
  if (!known) {
    throw new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { fields: { AWSAccessKeyId: credential[0]! } });
  }
  const key = signingKey(known.secretAccessKey, { date: credential[1]!, region: credential[2]!, service: credential[3]! });
  const expected = createHmac('sha256', key).update(policy64).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403, {
      fields: { AWSAccessKeyId: credential[0]!, StringToSign: policy64, SignatureProvided: signature },
    });
  }
  await credentials.used(known, 's3', credential[2]!);
}
