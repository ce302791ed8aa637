/**
 * AWS::IAM::Role (Ref = name; GetAtt Arn, RoleId), AWS::IAM::Policy (inline policy on roles; Ref = a
 * generated id), AWS::IAM::ManagedPolicy (Ref = ARN; GetAtt PolicyArn, PolicyId, …), stored through
 * the IAM service's store. Users and access keys: iam-users.ts. Groups are left out (the local IAM has none).
 */
import type { LocalContext } from '../../../service.js';
import type { IamService } from '../../iam/service.js';
import { isNotFound, jsonDocument, type Props, type ResourceProvider, tagList } from './types.js';

const iam = (local: LocalContext) => local.service<IamService>('iam').store;
const inline = (props: Props) => Object.fromEntries(((props.Policies ?? []) as Props[]).map((p) => [String(p.PolicyName), jsonDocument(p.PolicyDocument)]));

export const role: ResourceProvider = {
  replaceOn: ['RoleName', 'Path'],
  nameProperty: 'RoleName',
  attributes: ['Arn', 'RoleId'],
  async create(props, ctx) {
    const store = iam(ctx.local);
    const created = await store.createRole({
      RoleName: props.RoleName ?? ctx.physicalName({ maxLength: 64 }),
      AssumeRolePolicyDocument: jsonDocument(props.AssumeRolePolicyDocument),
      ...(props.Path ? { Path: props.Path } : {}),
      ...(props.Description ? { Description: props.Description } : {}),
      ...(props.MaxSessionDuration ? { MaxSessionDuration: Number(props.MaxSessionDuration) } : {}),
      Tags: tagList(props),
    });
    await store.updateRole(created.RoleName, (r) => {
      r.InlinePolicies = inline(props);
      r.AttachedPolicyArns = (props.ManagedPolicyArns ?? []).map(String);
    });
    return { physicalId: created.RoleName, attributes: { Arn: created.Arn, RoleId: created.RoleId } };
  },
  async update(name, props, old, ctx) {
    const updated = await iam(ctx.local).updateRole(name, (r) => {
      r.AssumeRolePolicyDocument = jsonDocument(props.AssumeRolePolicyDocument);
      if (props.Description !== undefined) r.Description = props.Description;
      else delete r.Description;
      r.MaxSessionDuration = Number(props.MaxSessionDuration ?? 3600);
      r.Tags = tagList(props);
      // Inline policies from AWS::IAM::Policy resources live on the role too: keep those.
      const fromTemplate = new Set(Object.keys(inline(old.properties)));
      r.InlinePolicies = { ...Object.fromEntries(Object.entries(r.InlinePolicies).filter(([k]) => !fromTemplate.has(k))), ...inline(props) };
      const managed = new Set((old.properties.ManagedPolicyArns ?? []).map(String));
      r.AttachedPolicyArns = [...r.AttachedPolicyArns.filter((a) => !managed.has(a)), ...(props.ManagedPolicyArns ?? []).map(String)];
    });
    return { physicalId: name, attributes: { Arn: updated.Arn, RoleId: updated.RoleId } };
  },
  async delete(name, _props, ctx) {
    const store = iam(ctx.local);
    try {
      // CloudFormation removes the role's policies itself before deleting it.
      await store.deleteRole(name, { withPolicies: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

const roleNames = (props: Props) => ((props.Roles ?? []) as unknown[]).map((r) => String(r).split('/').pop()!);

async function putInline(local: LocalContext, roles: string[], name: string, document: string | undefined): Promise<void> {
  for (const roleName of roles) {
    try {
      await iam(local).updateRole(roleName, (r) => {
        if (document === undefined) delete r.InlinePolicies[name];
        else r.InlinePolicies[name] = document;
      });
    } catch (error) {
      if (document !== undefined || !isNotFound(error)) throw error;
    }
  }
}

export const policy: ResourceProvider = {
  attributes: ['Id'],
  async create(props, ctx) {
    await putInline(ctx.local, roleNames(props), String(props.PolicyName), jsonDocument(props.PolicyDocument));
    const id = ctx.physicalName({ maxLength: 30 });
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(id, props, old, ctx) {
    const stale = roleNames(old.properties).filter((r) => !roleNames(props).includes(r) || old.properties.PolicyName !== props.PolicyName);
    await putInline(ctx.local, stale, String(old.properties.PolicyName), undefined);
    await putInline(ctx.local, roleNames(props), String(props.PolicyName), jsonDocument(props.PolicyDocument));
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(_id, props, ctx) {
    await putInline(ctx.local, roleNames(props), String(props.PolicyName), undefined);
  },
};

async function attach(local: LocalContext, roles: string[], arn: string, on: boolean): Promise<void> {
  for (const roleName of roles) {
    try {
      await iam(local).updateRole(roleName, (r) => {
        r.AttachedPolicyArns = r.AttachedPolicyArns.filter((a) => a !== arn);
        if (on) r.AttachedPolicyArns.push(arn);
      });
    } catch (error) {
      if (on || !isNotFound(error)) throw error;
    }
  }
}

function policyAttributes(p: { Arn: string; PolicyId: string; DefaultVersionId: string; CreateDate: string; UpdateDate: string }, roles: number) {
  return { PolicyArn: p.Arn, PolicyId: p.PolicyId, DefaultVersionId: p.DefaultVersionId, CreateDate: p.CreateDate, UpdateDate: p.UpdateDate, AttachmentCount: roles, IsAttachable: true };
}

export const managedPolicy: ResourceProvider = {
  replaceOn: ['ManagedPolicyName', 'Path', 'Description'],
  nameProperty: 'ManagedPolicyName',
  attributes: ['PolicyArn', 'PolicyId', 'DefaultVersionId', 'AttachmentCount', 'IsAttachable', 'CreateDate', 'UpdateDate'],
  async create(props, ctx) {
    const created = await iam(ctx.local).createPolicy({
      PolicyName: props.ManagedPolicyName ?? ctx.physicalName({ maxLength: 128 }),
      PolicyDocument: jsonDocument(props.PolicyDocument),
      ...(props.Path ? { Path: props.Path } : {}),
      ...(props.Description ? { Description: props.Description } : {}),
    });
    await attach(ctx.local, roleNames(props), created.Arn, true);
    return { physicalId: created.Arn, attributes: policyAttributes(created, roleNames(props).length) };
  },
  async update(arn, props, old, ctx) {
    const updated = await iam(ctx.local).updatePolicy(arn, (p) => void (p.Document = jsonDocument(props.PolicyDocument)));
    await attach(ctx.local, roleNames(old.properties).filter((r) => !roleNames(props).includes(r)), arn, false);
    await attach(ctx.local, roleNames(props), arn, true);
    return { physicalId: arn, attributes: policyAttributes(updated, roleNames(props).length) };
  },
  async delete(arn, props, ctx) {
    await attach(ctx.local, roleNames(props), arn, false);
    try {
      await iam(ctx.local).deletePolicy(arn);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
