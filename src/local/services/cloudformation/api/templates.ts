/** ValidateTemplate, GetTemplateSummary, GetTemplate, and the IAM capability check AWS makes. */
import { AwsError } from '../../../errors.js';
import type { LocalContext } from '../../../service.js';
import { isNoEcho, parseTemplate, validationError } from '../engine/template.js';
import type { Template } from '../model.js';
import type { StackStore } from '../store.js';
import { type Params, templateText } from './inputs.js';
import { members } from './shapes.js';

const IAM_TYPES = ['AWS::IAM::AccessKey', 'AWS::IAM::Group', 'AWS::IAM::InstanceProfile', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::UserToGroupAddition'];
const NAME_PROPS: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/** CAPABILITY_IAM for IAM resources, CAPABILITY_NAMED_IAM when one has a custom name. */
export function capabilitiesOf(template: Template): { capabilities: string[]; reason?: string } {
  const iam = Object.values(template.Resources).filter((r) => IAM_TYPES.includes(r.Type));
  if (!iam.length) return { capabilities: [] };
  const named = iam.some((r) => NAME_PROPS[r.Type] && r.Properties?.[NAME_PROPS[r.Type]!] !== undefined);
  const types = [...new Set(iam.map((r) => r.Type))].sort();
  return {
    capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
    reason: `The following resource(s) require capabilities: [${types.join(', ')}]`,
  };
}

export function checkCapabilities(template: Template, given: readonly string[]): void {
  const [needed] = capabilitiesOf(template).capabilities;
  if (!needed) return;
  const ok = needed === 'CAPABILITY_IAM' ? given.includes('CAPABILITY_IAM') || given.includes('CAPABILITY_NAMED_IAM') : given.includes(needed);
  if (!ok) throw new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${needed}]`);
}

function parameterDeclarations(template: Template, withType: boolean) {
  return members(
    Object.entries(template.Parameters ?? {}).map(([key, p]) => ({
      ParameterKey: key,
      ...(p.Default !== undefined ? { DefaultValue: Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default) } : {}),
      ...(withType ? { ParameterType: p.Type } : {}),
      NoEcho: isNoEcho(template, key),
      ...(p.Description !== undefined ? { Description: p.Description } : {}),
      ...(withType && p.AllowedValues ? { ParameterConstraints: { AllowedValues: members(p.AllowedValues.map(String)) } } : {}),
    })),
  );
}

export async function validateTemplate(ctx: LocalContext, p: Params) {
  const text = await templateText(ctx, p);
  if (text === undefined) throw validationError('Either Template URL or Template Body must be specified.');
  const template = parseTemplate(text);
  const caps = capabilitiesOf(template);
  return {
    Parameters: parameterDeclarations(template, false),
    ...(template.Description !== undefined ? { Description: template.Description } : {}),
    Capabilities: members(caps.capabilities),
    ...(caps.reason ? { CapabilitiesReason: caps.reason } : {}),
    DeclaredTransforms: members(template.Transform === undefined ? [] : [template.Transform].flat().map(String)),
  };
}

export async function getTemplateSummary(ctx: LocalContext, store: StackStore, region: string, p: Params) {
  const name = p.get('StackName');
  const text = name ? store.get(region, name).desired.templateBody : await templateText(ctx, p);
  if (text === undefined) throw validationError('Either Template URL or Template Body or StackName must be specified.');
  const template = parseTemplate(text);
  const caps = capabilitiesOf(template);
  return {
    Parameters: parameterDeclarations(template, true),
    ...(template.Description !== undefined ? { Description: template.Description } : {}),
    Capabilities: members(caps.capabilities),
    ...(caps.reason ? { CapabilitiesReason: caps.reason } : {}),
    ResourceTypes: members([...new Set(Object.values(template.Resources).map((r) => r.Type))]),
    Version: template.AWSTemplateFormatVersion ?? '2010-09-09',
    ...(template.Metadata ? { Metadata: JSON.stringify(template.Metadata) } : {}),
    DeclaredTransforms: members(template.Transform === undefined ? [] : [template.Transform].flat().map(String)),
    ResourceIdentifierSummaries: '',
  };
}

export function getTemplate(store: StackStore, region: string, p: Params) {
  const stackName = p.get('StackName');
  const changeSetName = p.get('ChangeSetName');
  if (changeSetName) {
    const stack = stackName ? store.get(region, stackName) : store.all(region).find((s) => s.changeSets.some((c) => c.ChangeSetId === changeSetName));
    const changeSet = stack?.changeSets.find((c) => c.ChangeSetId === changeSetName || c.ChangeSetName === changeSetName);
    if (!changeSet) throw new AwsError('ChangeSetNotFoundException', `ChangeSet [${changeSetName}] does not exist`, 404, { queryCode: 'ChangeSetNotFound' });
    return { TemplateBody: changeSet.desired.templateBody, StagesAvailable: members(['Original', 'Processed']) };
  }
  if (!stackName) throw validationError('Either StackName or ChangeSetName must be specified.');
  return { TemplateBody: store.get(region, stackName).desired.templateBody, StagesAvailable: members(['Original', 'Processed']) };
}
