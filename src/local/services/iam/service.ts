/**
 * IAM: roles, inline and managed policies, users and their access keys, stored and returned. Policies
 * are never enforced (every request is allowed). Access keys are real credentials: API Gateway's
 * AWS_IAM methods and S3's presigned URLs and POST policies accept an Active key's signatures
 * (auth/credentials.ts) and record its last use; an Inactive or deleted key is refused there. At most
 * two keys per user (LimitExceeded), ids `AKIA…` (20 characters), secrets of 40.
 *
 * Leaves out: groups, instance profiles, login profiles, MFA, the user-policy actions (a template's
 * user policies are stored only), user tagging after creation, policy versions beyond v1, policy
 * simulation, root access keys (CreateAccessKey without UserName works only when signed with a key of
 * the user), and pagination (lists answer whole). Policy documents come back URL-encoded, as AWS's do.
 * State: `<data-dir>/iam/{roles,policies,users,access-keys}/<name>.json` (names via names.ts).
 */
import { mergeTags } from '../../tags.js';
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import { parseQueryParams, queryTags as tags, sendQueryError, sendQueryResult } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import { serviceDir } from '../../storage.js';
import type { IamApi, IamKey } from '../contracts.js';
import { IamStore, type ManagedPolicy, type Role } from './store.js';
import { userOperations, type Operation } from './user-ops.js';
import { UserStore } from './users.js';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
type Params = Map<string, string>;

/** Last uses are written at most this often per key and place (AWS, too, records them late). */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IamService extends IamApi {
  readonly store: IamStore;
  readonly users: UserStore;
}

export function iamService(ctx: LocalContext): IamService {
  const store = new IamStore(serviceDir(ctx.dataDir, 'iam'), ctx.accountId);
  const users = new UserStore(serviceDir(ctx.dataDir, 'iam'), ctx.accountId);
  const noted = new Map<string, { at: number; where: string }>();
  const required = (p: Params, name: string) => {
    const value = p.get(name);
    if (!value) throw new AwsError('ValidationError', `The request must contain the parameter ${name}.`);
    return value;
  };
  const members = <T>(items: T[]) => (items.length ? { member: items } : '');

  const operations: Record<string, Operation> = {
    CreateRole: async (p) => ({
      Role: roleXml(
        await store.createRole({
          RoleName: required(p, 'RoleName'),
          AssumeRolePolicyDocument: required(p, 'AssumeRolePolicyDocument'),
          ...optional(p, 'Path', 'Description'),
          ...(p.get('MaxSessionDuration') ? { MaxSessionDuration: Number(p.get('MaxSessionDuration')) } : {}),
          Tags: tags(p),
        }),
      ),
    }),
    GetRole: async (p) => ({ Role: roleXml(await store.getRole(required(p, 'RoleName'))) }),
    DeleteRole: async (p) => void (await store.deleteRole(required(p, 'RoleName'))),
    ListRoles: async () => ({ Roles: members((await store.listRoles()).map(roleXml)), IsTruncated: false }),
    UpdateRole: async (p) => {
      await store.updateRole(required(p, 'RoleName'), (r) => {
        if (p.has('Description')) r.Description = p.get('Description')!;
        if (p.has('MaxSessionDuration')) r.MaxSessionDuration = Number(p.get('MaxSessionDuration'));
      });
      return {};
    },
    UpdateAssumeRolePolicy: async (p) => {
      const doc = required(p, 'PolicyDocument');
      await store.updateRole(required(p, 'RoleName'), (r) => void (r.AssumeRolePolicyDocument = doc));
      return undefined;
    },
    TagRole: async (p) => {
      const added = tags(p);
      await store.updateRole(required(p, 'RoleName'), (r) => {
        r.Tags = mergeTags(r.Tags, added);
      });
      return undefined;
    },
    UntagRole: async (p) => {
      const keys = [...p.entries()].filter(([k]) => k.startsWith('TagKeys.member.')).map(([, v]) => v);
      await store.updateRole(required(p, 'RoleName'), (r) => void (r.Tags = r.Tags.filter((t) => !keys.includes(t.Key))));
      return undefined;
    },
    ListRoleTags: async (p) => ({ Tags: members((await store.getRole(required(p, 'RoleName'))).Tags), IsTruncated: false }),
    PutRolePolicy: async (p) => {
      const [name, doc] = [required(p, 'PolicyName'), required(p, 'PolicyDocument')];
      await store.updateRole(required(p, 'RoleName'), (r) => void (r.InlinePolicies[name] = doc));
      return undefined;
    },
    GetRolePolicy: async (p) => {
      const role = await store.getRole(required(p, 'RoleName'));
      const name = required(p, 'PolicyName');
      const doc = role.InlinePolicies[name];
      if (doc === undefined) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      return { RoleName: role.RoleName, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
    },
    DeleteRolePolicy: async (p) => {
      const name = required(p, 'PolicyName');
      await store.updateRole(required(p, 'RoleName'), (r) => {
        if (!(name in r.InlinePolicies)) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
        delete r.InlinePolicies[name];
      });
      return undefined;
    },
    ListRolePolicies: async (p) => ({
      PolicyNames: members(Object.keys((await store.getRole(required(p, 'RoleName'))).InlinePolicies)),
      IsTruncated: false,
    }),
    AttachRolePolicy: async (p) => {
      const arn = required(p, 'PolicyArn');
      if (!arn.startsWith('arn:aws:iam::aws:policy/')) await store.getPolicy(arn);
      await store.updateRole(required(p, 'RoleName'), (r) => {
        if (!r.AttachedPolicyArns.includes(arn)) r.AttachedPolicyArns.push(arn);
      });
      return undefined;
    },
    DetachRolePolicy: async (p) => {
      const arn = required(p, 'PolicyArn');
      await store.updateRole(required(p, 'RoleName'), (r) => {
        if (!r.AttachedPolicyArns.includes(arn)) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
        r.AttachedPolicyArns = r.AttachedPolicyArns.filter((a) => a !== arn);
      });
      return undefined;
    },
    ListAttachedRolePolicies: async (p) => ({
      AttachedPolicies: members(
        (await store.getRole(required(p, 'RoleName'))).AttachedPolicyArns.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
      ),
      IsTruncated: false,
    }),
    CreatePolicy: async (p) => ({
      Policy: policyXml(
        await store.createPolicy({
          PolicyName: required(p, 'PolicyName'),
          PolicyDocument: required(p, 'PolicyDocument'),
          ...optional(p, 'Path', 'Description'),
          Tags: tags(p),
        }),
      ),
    }),
    GetPolicy: async (p) => ({ Policy: policyXml(await store.getPolicy(required(p, 'PolicyArn'))) }),
    GetPolicyVersion: async (p) => {
      const policy = await store.getPolicy(required(p, 'PolicyArn'));
      return { PolicyVersion: { Document: encodeURIComponent(policy.Document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: policy.CreateDate } };
    },
    DeletePolicy: async (p) => void (await store.deletePolicy(required(p, 'PolicyArn'))),
    ListPolicies: async () => ({ Policies: members((await store.listPolicies()).map(policyXml)), IsTruncated: false }),
    ...userOperations(users),
  };

  return {
    name: 'iam',
    store,
    users,
    async activeAccessKey(accessKeyId): Promise<IamKey | undefined> {
      const key = await users.findKey(accessKeyId);
      if (!key || key.Status !== 'Active') return undefined;
      const user = await users.findUser(key.UserName);
      if (!user) return undefined;
      return { accessKeyId, secretAccessKey: key.SecretAccessKey, userName: user.UserName, userArn: user.Arn, userId: user.UserId };
    },
    async noteAccessKeyUse(accessKeyId, serviceName, region) {
      const where = `${serviceName} ${region}`;
      const last = noted.get(accessKeyId);
      if (last && last.where === where && Date.now() - last.at < LAST_USED_RESOLUTION_MS) return;
      noted.set(accessKeyId, { at: Date.now(), where });
      if (noted.size > 10_000) noted.clear();
      await users.noteUse(accessKeyId, serviceName, region);
    },
    async handle(req: ServiceRequest, res: ServerResponse) {
      const params = parseQueryParams((await req.body()).toString('utf8'), req.url);
      const action = params.get('Action') ?? '';
      ctx.faults.maybeFail('iam', action);
      const operation = operations[action];
      if (!operation) throw new AwsError('InvalidAction', `tap local's IAM does not implement ${action || '(no Action)'}.`);
      sendQueryResult(res, req.requestId, action, await operation(params, req), XMLNS);
    },
    sendError(req, res, error) {
      sendQueryError(res, req.requestId, error, XMLNS);
    },
    async reset() {
      noted.clear();
      await users.reset();
      await store.reset();
    },
  };
}

function optional(p: Params, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => p.has(n)).map((n) => [n, p.get(n)!]));
}


function roleXml(role: Role): Record<string, unknown> {
  return {
    Path: role.Path,
    RoleName: role.RoleName,
    RoleId: role.RoleId,
    Arn: role.Arn,
    CreateDate: role.CreateDate,
    AssumeRolePolicyDocument: encodeURIComponent(role.AssumeRolePolicyDocument),
    ...(role.Description ? { Description: role.Description } : {}),
    MaxSessionDuration: role.MaxSessionDuration,
    ...(role.Tags.length ? { Tags: { member: role.Tags } } : {}),
  };
}

function policyXml(policy: ManagedPolicy): Record<string, unknown> {
  return {
    PolicyName: policy.PolicyName,
    PolicyId: policy.PolicyId,
    Arn: policy.Arn,
    Path: policy.Path,
    DefaultVersionId: policy.DefaultVersionId,
    IsAttachable: true,
    CreateDate: policy.CreateDate,
    UpdateDate: policy.UpdateDate,
    ...(policy.Description ? { Description: policy.Description } : {}),
  };
}
