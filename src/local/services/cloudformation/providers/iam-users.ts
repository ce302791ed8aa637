/**
 * AWS::IAM::User (Ref = name; GetAtt Arn) and AWS::IAM::AccessKey (Ref = the key id; GetAtt
 * SecretAccessKey), through the IAM service's user store. A user's Policies and ManagedPolicyArns are
 * stored (never enforced, like a role's); Groups, LoginProfile and PermissionsBoundary are left out
 * (the local IAM has no groups, console logins or boundaries).
 */
import { AwsError } from '../../../errors.js';
import type { LocalContext } from '../../../service.js';
import type { IamService } from '../../iam/service.js';
import type { KeyStatus } from '../../iam/users.js';
import { isNotFound, jsonDocument, type Props, type ResourceProvider, tagList } from './types.js';

const users = (local: LocalContext) => local.service<IamService>('iam').users;
const inline = (props: Props) => Object.fromEntries(((props.Policies ?? []) as Props[]).map((p) => [String(p.PolicyName), jsonDocument(p.PolicyDocument)]));

export const user: ResourceProvider = {
  replaceOn: ['UserName', 'Path'],
  nameProperty: 'UserName',
  attributes: ['Arn'],
  async create(props, ctx) {
    const store = users(ctx.local);
    const created = await store.createUser({ UserName: props.UserName ?? ctx.physicalName({ maxLength: 64 }), ...(props.Path ? { Path: String(props.Path) } : {}), Tags: tagList(props) });
    await store.updateUser(created.UserName, (u) => {
      u.InlinePolicies = inline(props);
      u.AttachedPolicyArns = (props.ManagedPolicyArns ?? []).map(String);
    });
    return { physicalId: created.UserName, attributes: { Arn: created.Arn } };
  },
  async update(name, props, _old, ctx) {
    const updated = await users(ctx.local).updateUser(name, (u) => {
      u.Tags = tagList(props);
      u.InlinePolicies = inline(props);
      u.AttachedPolicyArns = (props.ManagedPolicyArns ?? []).map(String);
    });
    return { physicalId: name, attributes: { Arn: updated.Arn } };
  },
  async delete(name, _props, ctx) {
    const store = users(ctx.local);
    try {
      // CloudFormation removes the user's policies itself; keys made outside the stack still block it, as on AWS.
      await store.updateUser(name, (u) => {
        u.InlinePolicies = {};
        u.AttachedPolicyArns = [];
      });
      await store.deleteUser(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

function status(props: Props): KeyStatus {
  const value = String(props.Status ?? 'Active');
  if (value !== 'Active' && value !== 'Inactive') throw new AwsError('ValidationError', `Properties validation failed for resource with message: #/Status: ${value} is not a valid enum value (Active, Inactive).`);
  return value;
}

export const accessKey: ResourceProvider = {
  replaceOn: ['UserName', 'Serial'],
  attributes: ['SecretAccessKey'],
  async create(props, ctx) {
    const store = users(ctx.local);
    const userName = String(props.UserName ?? '');
    const wanted = status(props);
    const key = await store.createAccessKey(userName);
    if (wanted !== 'Active') await store.setKeyStatus(userName, key.AccessKeyId, wanted);
    return { physicalId: key.AccessKeyId, attributes: { SecretAccessKey: key.SecretAccessKey } };
  },
  async update(id, props, old, ctx) {
    await users(ctx.local).setKeyStatus(String(props.UserName), id, status(props));
    return { physicalId: id, attributes: old.attributes };
  },
  async delete(id, props, ctx) {
    try {
      await users(ctx.local).deleteAccessKey(String(props.UserName), id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
