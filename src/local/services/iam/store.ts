import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { AwsError } from '../../errors.js';
import { fsName } from '../../names.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';

export interface Role {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  Tags: Array<{ Key: string; Value: string }>;
  /** Inline policies by name (documents as sent). */
  InlinePolicies: Record<string, string>;
  AttachedPolicyArns: string[];
}

export interface ManagedPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Document: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  Tags: Array<{ Key: string; Value: string }>;
}

const NAME = /^[\w+=,.@-]{1,64}$/;

/** IAM roles and managed policies, stored so that they can be read back; nothing is enforced. */
export class IamStore {
  constructor(
    private readonly dir: string,
    private readonly accountId: string,
  ) {}

  private rolePath = (name: string) => join(this.dir, 'roles', `${fsName(name)}.json`);
  private policyPath = (arn: string) => join(this.dir, 'policies', `${fsName(arn)}.json`);

  async createRole(input: { RoleName: string; AssumeRolePolicyDocument: string; Path?: string; Description?: string; MaxSessionDuration?: number; Tags?: Role['Tags'] }): Promise<Role> {
    if (!NAME.test(input.RoleName)) throw new AwsError('ValidationError', `Invalid role name ${input.RoleName}`);
    if (!input.AssumeRolePolicyDocument) throw new AwsError('ValidationError', 'AssumeRolePolicyDocument is required');
    if (await this.findRole(input.RoleName)) {
      throw new AwsError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`, 409);
    }
    const path = input.Path ?? '/';
    const role: Role = {
      RoleName: input.RoleName,
      RoleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}`,
      Arn: `arn:aws:iam::${this.accountId}:role${path}${input.RoleName}`,
      Path: path,
      CreateDate: new Date().toISOString(),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
      ...(input.Description ? { Description: input.Description } : {}),
      MaxSessionDuration: input.MaxSessionDuration ?? 3600,
      Tags: input.Tags ?? [],
      InlinePolicies: {},
      AttachedPolicyArns: [],
    };
    await writeJsonAtomic(this.rolePath(role.RoleName), role);
    return role;
  }

  findRole(name: string): Promise<Role | undefined> {
    return readJsonIfExists<Role>(this.rolePath(name), { lost: `IAM role ${name}` });
  }

  async getRole(name: string): Promise<Role> {
    const role = await this.findRole(name);
    if (!role) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
    return role;
  }

  async updateRole(name: string, change: (role: Role) => void): Promise<Role> {
    const role = await this.getRole(name);
    change(role);
    await writeJsonAtomic(this.rolePath(name), role);
    return role;
  }

  /**
   * DeleteRole: refused while policies remain (DeleteConflict), unless `withPolicies` (CloudFormation,
   * which removes a role's policies itself before deleting it: one removal, not a rewrite and a removal).
   */
  async deleteRole(name: string, options: { withPolicies?: boolean } = {}): Promise<void> {
    const role = await this.getRole(name);
    if (!options.withPolicies && (Object.keys(role.InlinePolicies).length || role.AttachedPolicyArns.length)) {
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    }
    await removeIfExists(this.rolePath(name));
  }

  async listRoles(): Promise<Role[]> {
    return this.readAll<Role>(join(this.dir, 'roles'));
  }

  async createPolicy(input: { PolicyName: string; PolicyDocument: string; Path?: string; Description?: string; Tags?: ManagedPolicy['Tags'] }): Promise<ManagedPolicy> {
    if (!NAME.test(input.PolicyName)) throw new AwsError('ValidationError', `Invalid policy name ${input.PolicyName}`);
    const path = input.Path ?? '/';
    const arn = `arn:aws:iam::${this.accountId}:policy${path}${input.PolicyName}`;
    if (await readJsonIfExists(this.policyPath(arn))) {
      throw new AwsError('EntityAlreadyExists', `A policy called ${input.PolicyName} already exists.`, 409);
    }
    const now = new Date().toISOString();
    const policy: ManagedPolicy = {
      PolicyName: input.PolicyName,
      PolicyId: `ANPA${randomBytes(8).toString('hex').toUpperCase()}`,
      Arn: arn,
      Path: path,
      DefaultVersionId: 'v1',
      Document: input.PolicyDocument,
      ...(input.Description ? { Description: input.Description } : {}),
      CreateDate: now,
      UpdateDate: now,
      Tags: input.Tags ?? [],
    };
    await writeJsonAtomic(this.policyPath(arn), policy);
    return policy;
  }

  async getPolicy(arn: string): Promise<ManagedPolicy> {
    const policy = await readJsonIfExists<ManagedPolicy>(this.policyPath(arn));
    if (!policy) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
    return policy;
  }

  /** Changes a managed policy in place (CloudFormation's document updates); UpdateDate moves. */
  async updatePolicy(arn: string, change: (policy: ManagedPolicy) => void): Promise<ManagedPolicy> {
    const policy = await this.getPolicy(arn);
    change(policy);
    policy.UpdateDate = new Date().toISOString();
    await writeJsonAtomic(this.policyPath(arn), policy);
    return policy;
  }

  async deletePolicy(arn: string): Promise<void> {
    await this.getPolicy(arn);
    const attached = (await this.listRoles()).filter((r) => r.AttachedPolicyArns.includes(arn));
    if (attached.length) throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    await removeIfExists(this.policyPath(arn));
  }

  async listPolicies(): Promise<ManagedPolicy[]> {
    return this.readAll<ManagedPolicy>(join(this.dir, 'policies'));
  }

  async reset(): Promise<void> {
    await removeIfExists(this.dir);
  }

  private async readAll<T>(dir: string): Promise<T[]> {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const all = await Promise.all(files.map((f) => readJsonIfExists<T>(join(dir, f), { lost: `an IAM role or policy (file ${f})` })));
    return all.filter((x): x is Awaited<T> => x !== undefined) as T[];
  }
}
