import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  type GetRandomPasswordCommandInput,
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let sm: SecretsManagerClient;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  sm = new SecretsManagerClient(local.clientConfig);
});
afterAll(() => local.stop());

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

describe('Secrets Manager secrets and versions', () => {
  it('creates a secret with an ARN ending in -<6 random characters> and finds it by name, full ARN and partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'tap/dev/webhook', SecretString: '{"signingKey":"k1"}', Description: 'signing key' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:tap\/dev\/webhook-[A-Za-z0-9]{6}$/);
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of ['tap/dev/webhook', created.ARN!, created.ARN!.slice(0, -7)]) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      expect(value).toMatchObject({ ARN: created.ARN, Name: 'tap/dev/webhook', SecretString: '{"signingKey":"k1"}', VersionStages: ['AWSCURRENT'] });
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'tap/dev/webhook' }));
    expect(described).toMatchObject({ Name: 'tap/dev/webhook', Description: 'signing key', VersionIdsToStages: { [created.VersionId!]: ['AWSCURRENT'] } });
    expect(described.LastAccessedDate).toBeInstanceOf(Date);
  });

  it('moves AWSCURRENT and AWSPREVIOUS as AWS does on each new version, and reads by VersionId and VersionStage', async () => {
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'one' }));
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'two' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    const { VersionId: v3 } = await sm.send(new UpdateSecretCommand({ SecretId: 'rotating', SecretString: 'three' }));
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: 'rotating' }))).VersionIdsToStages;
    expect(stages).toEqual({ [put.VersionId!]: ['AWSPREVIOUS'], [v3!]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('three');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: v1 }))).SecretString).toBe('one');
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'rotating', IncludeDeprecated: true }));
    expect(all.Versions!.map((v) => v.VersionId).sort()).toEqual([v1, put.VersionId, v3].sort());
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'NOPE' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: NOPE",
    });
    // A custom label put on an older version, then moved back with UpdateSecretVersionStage.
    await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'pending', VersionStages: ['AWSPENDING'] }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('three');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'rotating', VersionStage: 'AWSCURRENT', MoveToVersionId: put.VersionId, RemoveFromVersionId: v3 }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('three');
  });

  it('is idempotent for a repeated ClientRequestToken with the same value, and refuses a changed value', async () => {
    const token = 'a'.repeat(32);
    await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'x' }));
    const first = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }));
    const again = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }));
    expect(again.VersionId).toBe(first.VersionId);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'z', ClientRequestToken: token }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
  });

  it('keeps every version of concurrent writers', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'busy', SecretString: '0' }));
    await Promise.all(Array.from({ length: 10 }, (_, i) => sm.send(new PutSecretValueCommand({ SecretId: 'busy', SecretString: String(i + 1) }))));
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'busy', IncludeDeprecated: true }));
    expect(versions.Versions).toHaveLength(11);
  });

  it('creates a name once when concurrent CreateSecret calls race (the rest: ResourceExistsException)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => sm.send(new CreateSecretCommand({ Name: 'race', SecretString: String(i) }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'ResourceExistsException' });
  });

  it('stores binary secrets', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'blob', SecretBinary: new Uint8Array([0, 1, 2, 255]) }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'blob' }));
    expect([...value.SecretBinary!]).toEqual([0, 1, 2, 255]);
    expect(value.SecretString).toBeUndefined();
  });
});

describe('Secrets Manager deletion and restore', () => {
  it('schedules deletion with a recovery window: reads answer InvalidRequestException, describe shows DeletedDate, restore brings it back', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'v' }));
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const marked = { name: 'InvalidRequestException', message: "You can't perform this operation on the secret because it was marked for deletion." };
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).rejects.toMatchObject(marked);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'doomed', SecretString: 'w' }))).rejects.toMatchObject(marked);
    await expect(sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'w' }))).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('scheduled for deletion') });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'doomed' }))).DeletedDate).toBeInstanceOf(Date);
    const names = async (extra = {}) => (await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['doomed'] }], ...extra }))).SecretList!.map((s) => s.Name);
    expect(await names()).toEqual([]);
    expect(await names({ IncludePlannedDeletion: true })).toEqual(['doomed']);

    await sm.send(new RestoreSecretCommand({ SecretId: 'doomed' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).SecretString).toBe('v');
  });

  it('force-deletes at once (also a secret already scheduled), after which the name is free', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'gone' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'gone', ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gone' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'again' }));
  });

  it('refuses recovery windows outside 7–30 days and force together with a window', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'keep', SecretString: 'v' }));
    for (const days of [6, 31]) {
      await expect(sm.send(new DeleteSecretCommand({ SecretId: 'keep', RecoveryWindowInDays: days }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'keep', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'keep' }))).SecretString).toBe('v');
  });
});

describe('Secrets Manager bad input', () => {
  it('refuses unknown secrets, duplicate names, bad names, both values and oversize values', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:nope-abcdef' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await sm.send(new CreateSecretCommand({ Name: 'dup' }));
    await expect(sm.send(new CreateSecretCommand({ Name: 'dup' }))).rejects.toMatchObject({ name: 'ResourceExistsException', message: 'The operation failed because the secret dup already exists.' });
    for (const bad of ['has space', 'semi;colon', '../escape%00', 'é']) {
      await expect(sm.send(new CreateSecretCommand({ Name: bad, SecretString: 'v' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
    await expect(sm.send(new CreateSecretCommand({ Name: 'n'.repeat(513), SecretString: 'v' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await sm.send(new CreateSecretCommand({ Name: 'n'.repeat(512), SecretString: 'v' }));
    await expect(sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'v', SecretBinary: new Uint8Array([1]) }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sm.send(new CreateSecretCommand({ Name: 'huge', SecretString: 'x'.repeat(65_537) }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('65536') });
    await sm.send(new CreateSecretCommand({ Name: 'max', SecretString: 'x'.repeat(65_536) }));
    // Multi-byte characters count as bytes: 21,846 × 3 bytes > 65,536.
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'max', SecretString: '€'.repeat(21_846) }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'max' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('ListSecrets', () => {
  it('filters by name prefix, tag, description and negation, and pages with NextToken', async () => {
    for (let i = 0; i < 5; i++) {
      await sm.send(new CreateSecretCommand({ Name: `list/app-${i}`, SecretString: 'v', Description: i % 2 ? 'Odd one' : 'even one', Tags: [{ Key: 'team', Value: i < 2 ? 'red' : 'blue' }] }));
    }
    const list = async (input: ListSecretsCommandInput) => (await sm.send(new ListSecretsCommand(input))).SecretList!.map((s) => s.Name);
    expect(await list({ Filters: [{ Key: 'name', Values: ['list/'] }] })).toEqual(['list/app-0', 'list/app-1', 'list/app-2', 'list/app-3', 'list/app-4']);
    expect(await list({ Filters: [{ Key: 'name', Values: ['list/'] }, { Key: 'tag-value', Values: ['red'] }] })).toEqual(['list/app-0', 'list/app-1']);
    expect(await list({ Filters: [{ Key: 'name', Values: ['list/'] }, { Key: 'description', Values: ['odd'] }] })).toEqual(['list/app-1', 'list/app-3']);
    expect(await list({ Filters: [{ Key: 'name', Values: ['list/', '!list/app-4'] }] })).toHaveLength(4);
    expect(await list({ Filters: [{ Key: 'name', Values: ['LIST/'] }] })).toEqual([]);
    expect(await list({ Filters: [{ Key: 'name', Values: ['list/'] }], SortOrder: 'desc', MaxResults: 1 })).toEqual(['list/app-4']);

    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['list/'] }], MaxResults: 2, NextToken }));
      seen.push(...page.SecretList!.map((s) => s.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toHaveLength(5);
    await expect(sm.send(new ListSecretsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as never, Values: ['x'] }] }))).rejects.toMatchObject({ name: expect.stringMatching(/InvalidParameter|Validation/) });

    await sm.send(new TagResourceCommand({ SecretId: 'list/app-4', Tags: [{ Key: 'team', Value: 'red' }] }));
    expect(await list({ Filters: [{ Key: 'tag-value', Values: ['red'] }] })).toEqual(['list/app-0', 'list/app-1', 'list/app-4']);
  });
});

describe('GetRandomPassword', () => {
  it('honours length, exclusions, spaces and RequireEachIncludedType', async () => {
    const pw = async (input: GetRandomPasswordCommandInput) => (await sm.send(new GetRandomPasswordCommand(input))).RandomPassword!;
    expect(await pw({})).toHaveLength(32);
    const long = await pw({ PasswordLength: 4096 });
    expect(long).toHaveLength(4096);
    for (const re of [/[a-z]/, /[A-Z]/, /[0-9]/]) expect(long).toMatch(re);
    expect([...long].some((c) => PUNCTUATION.includes(c))).toBe(true);
    expect(await pw({ PasswordLength: 200, ExcludePunctuation: true, ExcludeUppercase: true })).toMatch(/^[a-z0-9]{200}$/);
    expect(await pw({ PasswordLength: 100, ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyz0123456789', ExcludePunctuation: true })).toMatch(/^[A-Z]{100}$/);
    expect(await pw({ PasswordLength: 50, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, IncludeSpace: true })).toMatch(/^(?=.* )[0-9 ]{50}$/);
    // With RequireEachIncludedType, even a 4-character password has one of each of the 4 types.
    for (let i = 0; i < 20; i++) {
      const short = await pw({ PasswordLength: 4 });
      expect([/[a-z]/, /[A-Z]/, /[0-9]/].every((re) => re.test(short)) && [...short].some((c) => PUNCTUATION.includes(c))).toBe(true);
    }
    expect(await pw({ PasswordLength: 1, RequireEachIncludedType: false })).toHaveLength(1);
    await expect(pw({ PasswordLength: 2 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(pw({ PasswordLength: 4097 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(pw({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('Secrets Manager persistence', () => {
  it('keeps secrets, versions and scheduled deletions across a restart', async () => {
    const first = await startLocal();
    const client = new SecretsManagerClient(first.clientConfig);
    const { ARN } = await client.send(new CreateSecretCommand({ Name: 'durable', SecretString: 'a' }));
    await client.send(new PutSecretValueCommand({ SecretId: 'durable', SecretString: 'b' }));
    await client.send(new CreateSecretCommand({ Name: 'scheduled', SecretString: 'a' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'scheduled' }));
    await first.stop();

    const second = await startLocal({ dataDir: first.dataDir });
    const again = new SecretsManagerClient(second.clientConfig);
    try {
      expect(await again.send(new GetSecretValueCommand({ SecretId: ARN }))).toMatchObject({ SecretString: 'b' });
      expect((await again.send(new GetSecretValueCommand({ SecretId: 'durable', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('a');
      await expect(again.send(new GetSecretValueCommand({ SecretId: 'scheduled' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    } finally {
      await second.stop();
    }
  });
});

describe('hostile raw requests (no SDK-side validation)', () => {
  const raw = async (target: string, body: unknown) => {
    const res = await fetch(local.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
  };

  it('answers wrongly typed fields with 4xx AWS errors, never an internal error', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['secretsmanager.CreateSecret', { Name: 'typed', Tags: 'nope' }, 'InvalidParameterException'],
      ['secretsmanager.CreateSecret', { Name: 'typed', Tags: [{ Key: 1 }] }, 'InvalidParameterException'],
      ['secretsmanager.CreateSecret', { Name: ['array'] }, 'ValidationException'],
      ['secretsmanager.CreateSecret', { Name: 'typed', SecretString: { not: 'a string' } }, 'ValidationException'],
      ['secretsmanager.GetSecretValue', { SecretId: 42 }, 'ResourceNotFoundException'],
      ['secretsmanager.ListSecrets', { Filters: [{ Key: 'name', Values: [1, 2] }] }, 'InvalidParameterException'],
      ['secretsmanager.ListSecrets', { Filters: [null] }, 'InvalidParameterException'],
      ['secretsmanager.GetRandomPassword', { PasswordLength: 'long' }, 'InvalidParameterException'],
      ['AWSStepFunctions.CreateStateMachine', { name: 'typed', definition: { StartAt: 'P' }, roleArn: 'arn:aws:iam::000000000000:role/r' }, 'InvalidDefinition'],
      ['AWSStepFunctions.CreateStateMachine', { name: 'typed', definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn: 'arn:aws:iam::000000000000:role/r', tags: 'x' }, 'ValidationException'],
      ['AWSStepFunctions.StartExecution', { stateMachineArn: 12 }, 'InvalidArn'],
      ['AWSStepFunctions.StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:none', input: { a: 1 } }, 'StateMachineDoesNotExist'],
    ];
    for (const [target, body, code] of cases) {
      const answer = await raw(target, body);
      expect(answer.status, `${target} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.__type, `${target} ${JSON.stringify(body)}: ${answer.body.message}`).toBe(code);
    }
  });
});
