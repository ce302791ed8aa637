/**
 * IAM users and their access keys. A key is stored by its id (`access-keys/<id>.json`) so that a
 * signature check finds its secret with one read; a user's keys are the files that name the user.
 * Writes go through one queue: the two-keys limit and DeleteConflict hold under concurrent calls.
 * Keys and users read once are kept in memory (every write goes through here, so the copy stays
 * true): a signature check with an IAM key costs no disk read after the first.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../../errors.js';
import { fsName } from '../../names.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';

export interface User {
  UserName: string;
  UserId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  Tags: Array<{ Key: string; Value: string }>;
  /** Inline and managed policies a template gives the user: stored, never enforced. */
  InlinePolicies: Record<string, string>;
  AttachedPolicyArns: string[];
}

export type KeyStatus = 'Active' | 'Inactive';

export interface AccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
  UserName: string;
  Status: KeyStatus;
  CreateDate: string;
  /** Set when a signature made with the key verified (API Gateway, S3 presigned requests). */
  LastUsed?: { Date: string; ServiceName: string; Region: string };
}

/** AWS's quota: two access keys per user, whatever their status. */
export const KEYS_PER_USER = 2;
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^\/(?:[\x21-\x7e]*\/)?$/;
const KEY_ID = /^[\w]{16,128}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const noSuchUser = (name: string) => new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
const noSuchKey = (id: string) => new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

export function validateUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${name}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64`);
  }
}

export class UserStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Found records by key id / user name; only what exists, so unknown ids cannot grow it. */
  private readonly keyCache = new Map<string, AccessKey>();
  private readonly userCache = new Map<string, User>();

  constructor(
    private readonly dir: string,
    private readonly accountId: string,
  ) {}

  private userPath = (name: string) => join(this.dir, 'users', `${fsName(name)}.json`);
  private keyPath = (id: string) => join(this.dir, 'access-keys', `${fsName(id)}.json`);

  /** Runs changes one at a time, so that checks and the writes they guard cannot interleave. */
  private serial<T>(change: () => Promise<T>): Promise<T> {
    const run = this.queue.then(change, change);
    this.queue = run.catch(() => undefined);
    return run;
  }

  createUser(input: { UserName: string; Path?: string; Tags?: User['Tags'] }): Promise<User> {
    validateUserName(input.UserName);
    const path = input.Path ?? '/';
    if (!PATH.test(path) || path.length > 512) throw new AwsError('ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
    return this.serial(async () => {
      // IAM user names are unique regardless of case.
      const lower = input.UserName.toLowerCase();
      if ((await this.listUsers()).some((u) => u.UserName.toLowerCase() === lower)) {
        throw new AwsError('EntityAlreadyExists', `User with name ${input.UserName} already exists.`, 409);
      }
      const user: User = {
        UserName: input.UserName,
        UserId: `AIDA${pick(ID_CHARS, 17)}`,
        Arn: `arn:aws:iam::${this.accountId}:user${path}${input.UserName}`,
        Path: path,
        CreateDate: new Date().toISOString(),
        Tags: input.Tags ?? [],
        InlinePolicies: {},
        AttachedPolicyArns: [],
      };
      await this.writeUser(user);
      return user;
    });
  }

  async findUser(name: string): Promise<User | undefined> {
    if (!USER_NAME.test(name)) return undefined;
    const cached = this.userCache.get(name);
    if (cached) return structuredClone(cached);
    const user = await readJsonIfExists<User>(this.userPath(name), { lost: `IAM user ${name}` });
    if (user) this.userCache.set(name, structuredClone(user));
    return user;
  }

  private async writeUser(user: User): Promise<void> {
    await writeJsonAtomic(this.userPath(user.UserName), user);
    this.userCache.set(user.UserName, structuredClone(user));
  }

  private async writeKey(key: AccessKey): Promise<void> {
    await writeJsonAtomic(this.keyPath(key.AccessKeyId), key);
    this.keyCache.set(key.AccessKeyId, structuredClone(key));
  }

  async getUser(name: string): Promise<User> {
    const user = await this.findUser(name);
    if (!user) throw noSuchUser(name);
    return user;
  }

  updateUser(name: string, change: (user: User) => void): Promise<User> {
    return this.serial(async () => {
      const user = await this.getUser(name);
      change(user);
      await this.writeUser(user);
      return user;
    });
  }

  deleteUser(name: string): Promise<void> {
    return this.serial(async () => {
      const user = await this.getUser(name);
      if ((await this.keysOf(name)).length > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete access keys first.', 409);
      if (Object.keys(user.InlinePolicies).length || user.AttachedPolicyArns.length) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      }
      this.userCache.delete(name);
      await removeIfExists(this.userPath(name));
    });
  }

  listUsers(): Promise<User[]> {
    return readAll<User>(join(this.dir, 'users'), 'an IAM user');
  }

  createAccessKey(userName: string): Promise<AccessKey> {
    return this.serial(async () => {
      await this.getUser(userName);
      if ((await this.keysOf(userName)).length >= KEYS_PER_USER) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`, 409);
      }
      const key: AccessKey = {
        AccessKeyId: `AKIA${pick(BASE32, 16)}`,
        SecretAccessKey: pick(SECRET_CHARS, 40),
        UserName: userName,
        Status: 'Active',
        CreateDate: new Date().toISOString(),
      };
      await this.writeKey(key);
      return key;
    });
  }

  /** The key with this id, whoever owns it; undefined if there is none. */
  async findKey(accessKeyId: string): Promise<AccessKey | undefined> {
    if (!KEY_ID.test(accessKeyId)) return undefined;
    const cached = this.keyCache.get(accessKeyId);
    if (cached) return structuredClone(cached);
    const key = await readJsonIfExists<AccessKey>(this.keyPath(accessKeyId), { lost: `IAM access key ${accessKeyId}` });
    if (key) this.keyCache.set(accessKeyId, structuredClone(key));
    return key;
  }

  /** The user's key, as UpdateAccessKey / DeleteAccessKey find it: another user's key is "not found". */
  private async keyOf(userName: string, accessKeyId: string): Promise<AccessKey> {
    await this.getUser(userName);
    const key = await this.findKey(accessKeyId);
    if (!key || key.UserName !== userName) throw noSuchKey(accessKeyId);
    return key;
  }

  async keysOf(userName: string): Promise<AccessKey[]> {
    const all = await readAll<AccessKey>(join(this.dir, 'access-keys'), 'an IAM access key');
    return all.filter((k) => k.UserName === userName).sort((a, b) => a.CreateDate.localeCompare(b.CreateDate));
  }

  setKeyStatus(userName: string, accessKeyId: string, status: KeyStatus): Promise<AccessKey> {
    return this.serial(async () => {
      const key = await this.keyOf(userName, accessKeyId);
      key.Status = status;
      await this.writeKey(key);
      return key;
    });
  }

  deleteAccessKey(userName: string, accessKeyId: string): Promise<void> {
    return this.serial(async () => {
      await this.keyOf(userName, accessKeyId);
      this.keyCache.delete(accessKeyId);
      await removeIfExists(this.keyPath(accessKeyId));
    });
  }

  /** Notes a verified use of the key. A key deleted meanwhile stays deleted. */
  noteUse(accessKeyId: string, serviceName: string, region: string, when = new Date()): Promise<void> {
    return this.serial(async () => {
      const key = await this.findKey(accessKeyId);
      if (!key) return;
      key.LastUsed = { Date: when.toISOString(), ServiceName: serviceName, Region: region };
      await this.writeKey(key);
    });
  }

  async reset(): Promise<void> {
    await this.serial(async () => {
      this.keyCache.clear();
      this.userCache.clear();
      await removeIfExists(join(this.dir, 'users'));
      await removeIfExists(join(this.dir, 'access-keys'));
    });
  }
}

async function readAll<T>(dir: string, what: string): Promise<T[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const all = await Promise.all(files.map((f) => readJsonIfExists<T>(join(dir, f), { lost: `${what} (file ${f})` })));
  return all.filter((x): x is Awaited<T> => x !== undefined) as T[];
}
