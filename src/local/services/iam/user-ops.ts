/**
 * The query actions on users and access keys. Without `UserName`, AWS acts on the user whose key
 * signed the request; so does the local IAM when that key is one it created. The built-in keys
 * (`test`, …) stand for no user here, so such a call must name one.
 */
import { AwsError } from '../../errors.js';
import { queryTags } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import { validateUserName, type AccessKey, type KeyStatus, type User, type UserStore } from './users.js';

type Params = Map<string, string>;
export type Operation = (p: Params, req: ServiceRequest) => Promise<Record<string, unknown> | undefined>;

const members = <T>(items: T[]) => (items.length ? { member: items } : '');

function required(p: Params, name: string): string {
  const value = p.get(name);
  if (!value) throw new AwsError('ValidationError', `The request must contain the parameter ${name}.`);
  return value;
}

export function userOperations(users: UserStore): Record<string, Operation> {
  /** The named user, or the one whose IAM key signed the request. */
  const userName = async (p: Params, req: ServiceRequest): Promise<string> => {
    const named = p.get('UserName');
    if (named) {
      validateUserName(named);
      return named;
    }
    const keyId = /Credential=([^/,\s]+)\//.exec(req.header('authorization') ?? '')?.[1];
    const key = keyId ? await users.findKey(keyId) : undefined;
    if (key) return key.UserName;
    throw new AwsError('ValidationError', "tap local's IAM has no root user: pass UserName (the user whose access keys to use), or sign the request with a key of that user.");
  };
  const status = (p: Params): KeyStatus => {
    const value = required(p, 'Status');
    if (value !== 'Active' && value !== 'Inactive') {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    return value;
  };

  return {
    CreateUser: async (p) => ({
      User: userXml(await users.createUser({ UserName: required(p, 'UserName'), ...(p.get('Path') ? { Path: p.get('Path')! } : {}), Tags: queryTags(p) })),
    }),
    GetUser: async (p, req) => ({ User: userXml(await users.getUser(await userName(p, req))) }),
    ListUsers: async () => ({ Users: members((await users.listUsers()).sort(byName).map(userXml)), IsTruncated: false }),
    DeleteUser: async (p) => void (await users.deleteUser(required(p, 'UserName'))),
    CreateAccessKey: async (p, req) => {
      const key = await users.createAccessKey(await userName(p, req));
      return { AccessKey: { UserName: key.UserName, AccessKeyId: key.AccessKeyId, Status: key.Status, SecretAccessKey: key.SecretAccessKey, CreateDate: key.CreateDate } };
    },
    ListAccessKeys: async (p, req) => {
      const name = await userName(p, req);
      await users.getUser(name);
      return { UserName: name, AccessKeyMetadata: members((await users.keysOf(name)).map(metadataXml)), IsTruncated: false };
    },
    UpdateAccessKey: async (p, req) => {
      const [id, value] = [required(p, 'AccessKeyId'), status(p)];
      await users.setKeyStatus(await userName(p, req), id, value);
      return undefined;
    },
    DeleteAccessKey: async (p, req) => {
      const id = required(p, 'AccessKeyId');
      await users.deleteAccessKey(await userName(p, req), id);
      return undefined;
    },
    GetAccessKeyLastUsed: async (p) => {
      const id = required(p, 'AccessKeyId');
      const key = await users.findKey(id);
      if (!key) throw new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
      // A key never used: AWS answers N/A for service and region, and no date.
      const used = key.LastUsed;
      return {
        UserName: key.UserName,
        AccessKeyLastUsed: used ? { LastUsedDate: used.Date, ServiceName: used.ServiceName, Region: used.Region } : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  };
}

const byName = (a: User, b: User) => a.UserName.localeCompare(b.UserName);

function userXml(user: User): Record<string, unknown> {
  return {
    Path: user.Path,
    UserName: user.UserName,
    UserId: user.UserId,
    Arn: user.Arn,
    CreateDate: user.CreateDate,
    ...(user.Tags.length ? { Tags: { member: user.Tags } } : {}),
  };
}

function metadataXml(key: AccessKey): Record<string, unknown> {
  return { UserName: key.UserName, AccessKeyId: key.AccessKeyId, Status: key.Status, CreateDate: key.CreateDate };
}
