/**
 * AWS::SecretsManager::Secret (Ref = the ARN; GetAtt Id = the ARN), through the Secrets Manager
 * service's own operations. `GenerateSecretString` makes the value as CloudFormation does: a
 * password from GetRandomPassword's generator, alone or under `GenerateStringKey` in the JSON of
 * `SecretStringTemplate`. Deleting the stack deletes the secret without a recovery window (force),
 * a local choice: a redeploy of the same stack can take the same name again at once. (Not checked
 * against what AWS's own handler does; a secret you want to keep needs DeletionPolicy: Retain.)
 */
import type { SecretsManagerService } from '../../secretsmanager/service.js';
import { randomPassword } from '../../secretsmanager/password.js';
import { isNotFound, type Props, type ProviderContext, type ResourceProvider, tagList } from './types.js';

const sm = (ctx: ProviderContext) => ctx.local.service<SecretsManagerService>('secretsmanager');

const PASSWORD_OPTIONS = ['ExcludeCharacters', 'ExcludeLowercase', 'ExcludeNumbers', 'ExcludePunctuation', 'ExcludeUppercase', 'IncludeSpace', 'PasswordLength', 'RequireEachIncludedType'];

function bool(v: unknown): boolean | undefined {
  return v === undefined ? undefined : v === true || String(v).toLowerCase() === 'true';
}

/** The secret's value from SecretString or GenerateSecretString (undefined: the secret has no value). */
export function secretStringOf(props: Props): string | undefined {
  const generate = props.GenerateSecretString as Props | undefined;
  if (props.SecretString !== undefined && generate) throw new Error('SecretString and GenerateSecretString cannot both be specified.');
  if (props.SecretString !== undefined) return String(props.SecretString);
  if (!generate) return undefined;
  const options: Record<string, unknown> = {};
  for (const k of PASSWORD_OPTIONS) {
    if (generate[k] === undefined) continue;
    options[k] = k === 'PasswordLength' ? Number(generate[k]) : k === 'ExcludeCharacters' ? String(generate[k]) : bool(generate[k]);
  }
  const password = randomPassword(options);
  const { SecretStringTemplate: template, GenerateStringKey: key } = generate;
  if ((template === undefined) !== (key === undefined)) {
    throw new Error('GenerateSecretString needs both SecretStringTemplate and GenerateStringKey, or neither.');
  }
  if (template === undefined) return password;
  let document: unknown;
  try {
    document = JSON.parse(String(template));
  } catch {
    throw new Error('SecretStringTemplate must be a JSON object.');
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new Error('SecretStringTemplate must be a JSON object.');
  return JSON.stringify({ ...(document as object), [String(key)]: password });
}

export const secret: ResourceProvider = {
  replaceOn: ['Name'],
  nameProperty: 'Name',
  attributes: ['Id'],
  async create(props, ctx) {
    const value = secretStringOf(props);
    const created = await sm(ctx).call('CreateSecret', ctx.region, {
      Name: props.Name ?? ctx.physicalName({ maxLength: 512 }),
      ...(props.Description !== undefined ? { Description: String(props.Description) } : {}),
      ...(props.KmsKeyId !== undefined ? { KmsKeyId: String(props.KmsKeyId) } : {}),
      ...(value !== undefined ? { SecretString: value } : {}),
      Tags: tagList(props),
    });
    return { physicalId: created.ARN, attributes: { Id: created.ARN } };
  },
  async update(arn, props, old, ctx) {
    const valueChanged =
      JSON.stringify(props.SecretString) !== JSON.stringify(old.properties.SecretString) ||
      JSON.stringify(props.GenerateSecretString) !== JSON.stringify(old.properties.GenerateSecretString);
    const value = valueChanged ? secretStringOf(props) : undefined;
    await sm(ctx).call('UpdateSecret', ctx.region, {
      SecretId: arn,
      Description: props.Description === undefined ? '' : String(props.Description),
      ...(props.KmsKeyId !== undefined ? { KmsKeyId: String(props.KmsKeyId) } : {}),
      ...(value !== undefined ? { SecretString: value } : {}),
    });
    const oldKeys = tagList(old.properties).map((t) => t.Key);
    if (oldKeys.length) await sm(ctx).call('UntagResource', ctx.region, { SecretId: arn, TagKeys: oldKeys });
    if (tagList(props).length) await sm(ctx).call('TagResource', ctx.region, { SecretId: arn, Tags: tagList(props) });
    return { physicalId: arn, attributes: { Id: arn } };
  },
  async delete(arn, _props, ctx) {
    try {
      await sm(ctx).call('DeleteSecret', ctx.region, { SecretId: arn, ForceDeleteWithoutRecovery: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};
