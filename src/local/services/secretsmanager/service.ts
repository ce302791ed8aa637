/**
 * Secrets Manager (awsJson1_1, `secretsmanager.*`): secrets with versions and staging labels
 * (AWSCURRENT, AWSPREVIOUS and custom ones, moving as on AWS), lookups by name, full ARN and partial
 * ARN, deletion with a recovery window (7–30 days; the secret answers InvalidRequestException until
 * restored or purged) or without recovery, GetRandomPassword, tags. Values are stored as given under
 * `<data-dir>/secretsmanager` (no KMS encryption: a local development store).
 *
 * Leaves out: rotation (RotateSecret, rotation Lambdas), replication to other regions, resource
 * policies, BatchGetSecretValue, ValidateResourcePolicy; those answer UnknownOperationException.
 */
import { AwsError } from '../../errors.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import { mergeTags } from '../../tags.js';
import { jsonHandler, requireField, type JsonOperation } from '../../protocols/json-service.js';
import { listSecrets } from './list.js';
import * as m from './model.js';
import { randomPassword } from './password.js';
import { SecretStore } from './store.js';

type Input = Record<string, any>;
type Operation = (input: Input, region: string) => Promise<unknown>;

/** The service, plus its operations for in-process callers (the CloudFormation provider). */
export interface SecretsManagerService extends LocalService {
  call(operation: 'CreateSecret' | 'UpdateSecret' | 'DeleteSecret' | 'DescribeSecret' | 'TagResource' | 'UntagResource', region: string, input: Input): Promise<Record<string, any>>;
}

export function secretsManagerService(ctx: LocalContext): SecretsManagerService {
  const root = serviceDir(ctx.dataDir, 'secretsmanager');
  const secrets = new SecretStore(root);
  const write = <T>(work: () => Promise<T>) => secrets.serialize(work);

  const ops: Record<string, Operation> = {
    CreateSecret: (input, region) =>
      write(async () => {
        const name = m.validateName(input.Name);
        const existing = await secrets.byName(region, name);
        if (existing?.DeletedDate !== undefined) {
          throw new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        if (existing) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
        checkDescription(input.Description);
        const value = m.secretValue(input);
        const created = m.now();
        const secret: m.SecretRecord = {
          ARN: m.secretArn(region, ctx.accountId, name),
          Name: name,
          ...(input.Description !== undefined ? { Description: input.Description } : {}),
          ...(input.KmsKeyId !== undefined ? { KmsKeyId: input.KmsKeyId } : {}),
          Tags: mergeTags([], m.validTags(input.Tags ?? [])),
          CreatedDate: created,
          LastChangedDate: created,
          Versions: [],
        };
        const version = value ? m.addVersion(secret, m.versionToken(input), value, undefined) : undefined;
        await secrets.put(region, secret);
        return { ARN: secret.ARN, Name: name, ...(version ? { VersionId: version.VersionId } : {}) };
      }),
    GetSecretValue: async (input, region) => {
      const secret = await secrets.find(region, input.SecretId);
      const version = m.findVersion(secret, input.VersionId, input.VersionStage);
      await touchAccessed(region, secret);
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        VersionId: version.VersionId,
        ...(version.SecretString !== undefined ? { SecretString: version.SecretString } : {}),
        ...(version.SecretBinary !== undefined ? { SecretBinary: version.SecretBinary } : {}),
        VersionStages: version.VersionStages,
        CreatedDate: version.CreatedDate,
      };
    },
    PutSecretValue: (input, region) =>
      write(async () => {
        const secret = await secrets.find(region, input.SecretId);
        const value = m.secretValue(input);
        if (!value) throw m.invalidParameter('You must provide either SecretString or SecretBinary.');
        const version = m.addVersion(secret, m.versionToken(input), value, input.VersionStages);
        await secrets.put(region, secret);
        return { ARN: secret.ARN, Name: secret.Name, VersionId: version.VersionId, VersionStages: version.VersionStages };
      }),
    UpdateSecret: (input, region) =>
      write(async () => {
        const secret = await secrets.find(region, input.SecretId);
        checkDescription(input.Description);
        if (input.Description !== undefined) secret.Description = input.Description;
        if (input.KmsKeyId !== undefined) secret.KmsKeyId = input.KmsKeyId;
        const value = m.secretValue(input);
        const version = value ? m.addVersion(secret, m.versionToken(input), value, undefined) : undefined;
        secret.LastChangedDate = m.now();
        await secrets.put(region, secret);
        return { ARN: secret.ARN, Name: secret.Name, ...(version ? { VersionId: version.VersionId } : {}) };
      }),
    DescribeSecret: async (input, region) => {
      const secret = await secrets.find(region, input.SecretId, { allowDeleted: true });
      return { ...summary(secret), VersionIdsToStages: m.versionIdsToStages(secret) };
    },
    ListSecrets: async (input, region) => listSecrets(await secrets.all(region), input, (s) => ({ ...summary(s), SecretVersionsToStages: m.versionIdsToStages(s) })),
    ListSecretVersionIds: async (input, region) => {
      const secret = await secrets.find(region, input.SecretId, { allowDeleted: true });
      const versions = secret.Versions.filter((v) => input.IncludeDeprecated || v.VersionStages.length > 0);
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        Versions: versions.map((v) => ({ VersionId: v.VersionId, VersionStages: v.VersionStages, CreatedDate: v.CreatedDate })),
      };
    },
    UpdateSecretVersionStage: (input, region) =>
      write(async () => {
        const secret = await secrets.find(region, input.SecretId);
        const stage = requireField<string>(input, 'VersionStage');
        const holder = secret.Versions.find((v) => v.VersionStages.includes(stage));
        if (input.RemoveFromVersionId !== undefined && holder?.VersionId !== input.RemoveFromVersionId) {
          throw m.invalidParameter(`The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`);
        }
        if (holder && input.MoveToVersionId !== undefined && input.RemoveFromVersionId === undefined) {
          throw m.invalidParameter(`The staging label ${stage} is currently attached to version ${holder.VersionId}. Specify RemoveFromVersionId to move it.`);
        }
        const to = input.MoveToVersionId === undefined ? undefined : m.findVersion(secret, input.MoveToVersionId, undefined);
        m.moveStage(secret, stage, to);
        secret.LastChangedDate = m.now();
        await secrets.put(region, secret);
        return { ARN: secret.ARN, Name: secret.Name };
      }),
    DeleteSecret: (input, region) =>
      write(async () => {
        const force = input.ForceDeleteWithoutRecovery === true;
        if (force && input.RecoveryWindowInDays !== undefined) {
          throw m.invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        const window = input.RecoveryWindowInDays ?? 30;
        if (!force && (!Number.isInteger(window) || window < 7 || window > 30)) {
          throw m.invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
        }
        const secret = await secrets.find(region, input.SecretId, { allowDeleted: force });
        const deletedAt = m.now();
        if (force) await secrets.remove(region, secret.Name);
        else await secrets.put(region, { ...secret, DeletedDate: deletedAt, PurgeAt: deletedAt + window * 86_400 });
        return { ARN: secret.ARN, Name: secret.Name, DeletionDate: force ? deletedAt : deletedAt + window * 86_400 };
      }),
    RestoreSecret: (input, region) =>
      write(async () => {
        const { DeletedDate: _d, PurgeAt: _p, ...secret } = await secrets.find(region, input.SecretId, { allowDeleted: true });
        await secrets.put(region, secret);
        return { ARN: secret.ARN, Name: secret.Name };
      }),
    GetRandomPassword: async (input) => ({ RandomPassword: randomPassword(input) }),
    TagResource: (input, region) =>
      write(async () => {
        const secret = await secrets.find(region, input.SecretId);
        secret.Tags = mergeTags(secret.Tags, m.validTags(requireField(input, 'Tags')));
        await secrets.put(region, secret);
        return {};
      }),
    UntagResource: (input, region) =>
      write(async () => {
        const secret = await secrets.find(region, input.SecretId);
        const keys = requireField<unknown>(input, 'TagKeys');
        if (!Array.isArray(keys)) throw m.invalidParameter('TagKeys must be a list of strings.');
        secret.Tags = secret.Tags.filter((t) => !keys.includes(t.Key));
        await secrets.put(region, secret);
        return {};
      }),
  };

  /** AWS records the day of the last access (dates are truncated to midnight UTC). */
  async function touchAccessed(region: string, secret: m.SecretRecord): Promise<void> {
    const day = Math.floor(m.now() / 86_400) * 86_400;
    if (secret.LastAccessedDate === day) return;
    await write(async () => {
      const fresh = await secrets.byName(region, secret.Name);
      if (fresh && fresh.DeletedDate === undefined) await secrets.put(region, { ...fresh, LastAccessedDate: day });
    });
  }

  const operations: Record<string, JsonOperation> = Object.fromEntries(
    Object.entries(ops).map(([name, op]) => [name, (input: Input, req) => op(input, req.region)]),
  );

  return {
    name: 'secretsmanager',
    targetPrefixes: ['secretsmanager'],
    ...jsonHandler(ctx, 'secretsmanager', operations, '1.1'),
    async call(operation, region, input) {
      return (await ops[operation]!(input, region)) as Record<string, any>;
    },
    async reset() {
      await secrets.clear();
      await removeIfExists(root);
    },
  };
}

function checkDescription(description: unknown): void {
  if (description !== undefined && (typeof description !== 'string' || description.length > 2048)) {
    throw m.invalidParameter('Description must be a string of at most 2048 characters.');
  }
}

function summary(s: m.SecretRecord): Record<string, unknown> {
  return {
    ARN: s.ARN,
    Name: s.Name,
    ...(s.Description !== undefined ? { Description: s.Description } : {}),
    ...(s.KmsKeyId !== undefined ? { KmsKeyId: s.KmsKeyId } : {}),
    LastChangedDate: s.LastChangedDate,
    ...(s.LastAccessedDate !== undefined ? { LastAccessedDate: s.LastAccessedDate } : {}),
    ...(s.DeletedDate !== undefined ? { DeletedDate: s.DeletedDate } : {}),
    Tags: s.Tags,
    CreatedDate: s.CreatedDate,
  };
}
