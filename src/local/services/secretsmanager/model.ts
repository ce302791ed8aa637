/**
 * Secrets and their versions, and how staging labels move between versions: a new version that
 * takes AWSCURRENT hands AWSPREVIOUS to the version that had AWSCURRENT (and AWSPREVIOUS leaves the
 * version that had it); any other label given moves from wherever it was. A version left with no
 * label is deprecated; AWS keeps about 100 of those, so do we.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { AwsError } from '../../errors.js';

export interface SecretVersion {
  VersionId: string;
  SecretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  SecretBinary?: string;
  CreatedDate: number;
  VersionStages: string[];
}

export interface SecretRecord {
  ARN: string;
  Name: string;
  Description?: string;
  KmsKeyId?: string;
  Tags: Array<{ Key: string; Value: string }>;
  CreatedDate: number;
  LastChangedDate: number;
  LastAccessedDate?: number;
  /** Set while the secret is scheduled for deletion (DeleteSecret with a recovery window). */
  DeletedDate?: number;
  /** When a scheduled deletion becomes final (epoch seconds). */
  PurgeAt?: number;
  Versions: SecretVersion[];
}

const MAX_DEPRECATED_VERSIONS = 100;
/** SecretString and SecretBinary limit (Secrets Manager quotas). */
export const MAX_SECRET_BYTES = 65_536;
const NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export const now = () => Date.now() / 1000;

export const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const markedDeleted = () => new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
const validation = (field: string, constraint: string) =>
  new AwsError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`);

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`, as AWS builds it. */
export function secretArn(region: string, accountId: string, name: string): string {
  const suffix = Array.from({ length: 6 }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 512) {
    throw validation('name', 'Member must have length between 1 and 512');
  }
  if (!NAME.test(name)) {
    throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  return name;
}

/** The value of a new version: exactly one of SecretString / SecretBinary, within AWS's size limit. */
export function secretValue(input: Record<string, any>): { SecretString?: string; SecretBinary?: string } | undefined {
  const { SecretString, SecretBinary } = input;
  if (SecretString !== undefined && SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (SecretString !== undefined) {
    if (typeof SecretString !== 'string') throw validation('secretString', 'Member must be a string');
    if (Buffer.byteLength(SecretString) > MAX_SECRET_BYTES) {
      throw validation('secretString', `Member must have length less than or equal to ${MAX_SECRET_BYTES}`);
    }
    return { SecretString };
  }
  if (SecretBinary !== undefined) {
    if (typeof SecretBinary !== 'string') throw validation('secretBinary', 'Member must be a blob');
    if (Buffer.from(SecretBinary, 'base64').length > MAX_SECRET_BYTES) {
      throw validation('secretBinary', `Member must have length less than or equal to ${MAX_SECRET_BYTES}`);
    }
    return { SecretBinary };
  }
  return undefined;
}

/** Tags as `{ Key, Value }` strings, at most 50 (Secrets Manager quotas). */
export function validTags(tags: unknown): SecretRecord['Tags'] {
  if (!Array.isArray(tags) || tags.length > 50 || !tags.every((t) => t && typeof t.Key === 'string' && t.Key.length > 0 && (t.Value === undefined || typeof t.Value === 'string'))) {
    throw invalidParameter('Tags must be a list of at most 50 { Key, Value } strings.');
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

export function versionToken(input: Record<string, any>): string {
  const token = input.ClientRequestToken;
  if (token === undefined) return randomUUID();
  if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
    throw validation('clientRequestToken', 'Member must have length between 32 and 64');
  }
  return token;
}

/**
 * Adds a version (or, for a token already used with the same value, does nothing, as AWS's
 * idempotent retries do). Returns the version that now holds the value.
 */
export function addVersion(
  secret: SecretRecord,
  versionId: string,
  value: { SecretString?: string; SecretBinary?: string },
  stages: string[] | undefined,
): SecretVersion {
  const existing = secret.Versions.find((v) => v.VersionId === versionId);
  if (existing) {
    if (existing.SecretString === value.SecretString && existing.SecretBinary === value.SecretBinary) return existing;
    throw new AwsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
  }
  const labels = stages && stages.length > 0 ? [...new Set(stages)] : ['AWSCURRENT'];
  if (labels.length > 20) throw invalidParameter('A version can have at most 20 staging labels.');
  const version: SecretVersion = { VersionId: versionId, ...value, CreatedDate: now(), VersionStages: [] };
  secret.Versions.push(version);
  for (const label of labels) moveStage(secret, label, version);
  secret.LastChangedDate = now();
  prune(secret);
  return version;
}

/** Moves a label to `to`; moving AWSCURRENT hands AWSPREVIOUS to the version that had it. */
export function moveStage(secret: SecretRecord, label: string, to: SecretVersion | undefined): void {
  const from = secret.Versions.find((v) => v.VersionStages.includes(label));
  if (from === to) return;
  if (from) from.VersionStages = from.VersionStages.filter((s) => s !== label);
  if (label === 'AWSCURRENT' && from) {
    for (const v of secret.Versions) v.VersionStages = v.VersionStages.filter((s) => s !== 'AWSPREVIOUS');
    from.VersionStages.push('AWSPREVIOUS');
  }
  if (to) to.VersionStages.push(label);
}

function prune(secret: SecretRecord): void {
  const deprecated = secret.Versions.filter((v) => v.VersionStages.length === 0);
  const drop = new Set(deprecated.slice(0, Math.max(0, deprecated.length - MAX_DEPRECATED_VERSIONS)));
  secret.Versions = secret.Versions.filter((v) => !drop.has(v));
}

export function findVersion(secret: SecretRecord, versionId: string | undefined, stage: string | undefined): SecretVersion {
  const version = versionId
    ? secret.Versions.find((v) => v.VersionId === versionId && (!stage || v.VersionStages.includes(stage)))
    : secret.Versions.find((v) => v.VersionStages.includes(stage ?? 'AWSCURRENT'));
  if (!version) {
    throw new AwsError(
      'ResourceNotFoundException',
      versionId
        ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`
        : `Secrets Manager can't find the specified secret value for staging label: ${stage ?? 'AWSCURRENT'}`,
    );
  }
  return version;
}

export function versionIdsToStages(secret: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(secret.Versions.filter((v) => v.VersionStages.length > 0).map((v) => [v.VersionId, v.VersionStages]));
}

/** A random id of the kind AWS uses for request tokens (used for versions CloudFormation creates). */
export const randomToken = () => randomBytes(16).toString('hex');
