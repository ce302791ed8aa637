/**
 * Template text → Template: JSON, or YAML with CloudFormation's short-form tags (`!Ref`, `!Sub`, …),
 * plus the structural checks AWS makes before anything is provisioned.
 */
import YAML, { YAMLMap } from 'yaml';
import { AwsError } from '../../../errors.js';
import type { Template } from '../model.js';

const SHORT_FORMS = [
  'Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select',
  'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length',
];
const longName = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** `!GetAtt A.B` is the one short form whose scalar needs splitting. */
const customTags = SHORT_FORMS.flatMap((name) => {
  const wrap = (value: unknown) => {
    const map = new YAMLMap();
    map.set(longName(name), value);
    return map;
  };
  return [
    {
      tag: `!${name}`,
      identify: (): boolean => false,
      resolve: (s: string) => ({ [longName(name)]: name === 'GetAtt' ? splitGetAtt(s) : s }),
    },
    { tag: `!${name}`, collection: 'seq' as const, identify: (): boolean => false, resolve: wrap },
    { tag: `!${name}`, collection: 'map' as const, identify: (): boolean => false, resolve: wrap },
  ];
});

function splitGetAtt(s: string): string[] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s] : [s.slice(0, dot), s.slice(dot + 1)];
}

export const validationError = (message: string) => new AwsError('ValidationError', message);

/** Parses a template body (JSON first, as AWS does; YAML otherwise). */
export function parseTemplate(body: string): Template {
  const text = body.trim();
  let parsed: unknown;
  if (text.startsWith('{')) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw validationError(`Template format error: JSON not well-formed. (${(error as Error).message})`);
    }
  } else {
    try {
      parsed = YAML.parse(text, { customTags, schema: 'core', uniqueKeys: true });
    } catch (error) {
      throw validationError(`Template format error: YAML not well-formed. (${(error as Error).message.split('\n')[0]})`);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw validationError('Template format error: JSON not well-formed.');
  }
  const template = parsed as Template;
  checkStructure(template);
  return template;
}

const SECTIONS = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions',
  'Transform', 'Resources', 'Outputs', 'Hooks',
]);

function checkStructure(t: Template): void {
  for (const key of Object.keys(t)) {
    if (!SECTIONS.has(key)) throw validationError(`Template format error: Invalid template property or properties [${key}]`);
  }
  if (t.AWSTemplateFormatVersion !== undefined && String(t.AWSTemplateFormatVersion) !== '2010-09-09') {
    throw validationError(`Template format error: '${String(t.AWSTemplateFormatVersion)}' is not a valid template version.`);
  }
  // AWS::LanguageExtensions only enables intrinsics the evaluator always has (Fn::ToJsonString,
  // Fn::Length); every other transform (AWS::Serverless, macros) would rewrite the template.
  const transforms = t.Transform === undefined ? [] : Array.isArray(t.Transform) ? t.Transform : [t.Transform];
  const other = transforms.filter((x) => x !== 'AWS::LanguageExtensions');
  if (other.length) {
    throw validationError(`Template format error: tap local does not run transforms (${other.map(String).join(', ')}).`);
  }
  if (!t.Resources || typeof t.Resources !== 'object' || Object.keys(t.Resources).length === 0) {
    throw validationError('Template format error: At least one Resources member must be defined.');
  }
  for (const [id, resource] of Object.entries(t.Resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw validationError(`Template format error: Resource name ${id} is non alphanumeric.`);
    if (!resource || typeof resource !== 'object' || typeof resource.Type !== 'string') {
      throw validationError(`Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`);
    }
    if (resource.Condition !== undefined && !(resource.Condition in (t.Conditions ?? {}))) {
      throw validationError(`Template format error: Unresolved dependencies [${resource.Condition}]. Cannot reference resources in the Conditions block of the template`);
    }
    for (const dep of dependsOnList(resource.DependsOn)) {
      if (!(dep in t.Resources)) {
        throw validationError(`Template format error: Unresolved resource dependencies [${dep}] in the Resources block of the template`);
      }
    }
  }
  for (const [id, p] of Object.entries(t.Parameters ?? {})) {
    if (!p || typeof p.Type !== 'string') throw validationError(`Template format error: Every Parameters object must contain a Type member.`);
    if (!isParameterType(p.Type)) throw validationError(`Template format error: Unrecognized parameter type: ${p.Type}`);
    if (id in t.Resources) throw validationError(`Template format error: Parameter and resource share the name ${id}`);
  }
  for (const [id, o] of Object.entries(t.Outputs ?? {})) {
    if (!o || typeof o !== 'object' || !('Value' in o)) {
      throw validationError(`Template format error: Every Outputs member must contain a Value object, the Outputs member ${id} is missing it.`);
    }
  }
}

export function dependsOnList(dependsOn: unknown): string[] {
  if (dependsOn === undefined) return [];
  return (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).map(String);
}

function isParameterType(type: string): boolean {
  return (
    ['String', 'Number', 'List<Number>', 'CommaDelimitedList'].includes(type) ||
    /^AWS::[A-Za-z0-9:]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$/.test(type) ||
    /^List<AWS::[A-Za-z0-9:]+>$/.test(type) ||
    /^AWS::SSM::Parameter::Value<.+>$/.test(type)
  );
}

/**
 * Parameter values for a deploy: the caller's, else the previous value (UsePreviousValue), else the
 * default; checked against the declaration's constraints as AWS checks them.
 */
export function resolveParameters(
  template: Template,
  given: ReadonlyArray<{ key: string; value?: string; usePrevious?: boolean }>,
  previous: Record<string, string> = {},
): Record<string, string> {
  const declared = template.Parameters ?? {};
  const values: Record<string, string> = {};
  for (const g of given) {
    if (!(g.key in declared)) {
      throw validationError(`Parameters: [${g.key}] do not exist in the template`);
    }
    if (g.usePrevious) {
      if (!(g.key in previous)) throw validationError(`Invalid input for parameter key ${g.key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`);
      values[g.key] = previous[g.key]!;
    } else values[g.key] = g.value ?? '';
  }
  const missing: string[] = [];
  for (const [key, p] of Object.entries(declared)) {
    if (!(key in values)) {
      if (p.Default !== undefined) values[key] = Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default);
      else missing.push(key);
    }
  }
  if (missing.length) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  for (const [key, p] of Object.entries(declared)) checkConstraints(key, p, values[key]!);
  // In declaration order, as DescribeStacks lists them.
  return Object.fromEntries(Object.keys(declared).map((key) => [key, values[key]!]));
}

function checkConstraints(key: string, p: NonNullable<Template['Parameters']>[string], value: string): void {
  const fail = (what: string) => {
    throw validationError(p.ConstraintDescription ? `Parameter '${key}' ${what}: ${p.ConstraintDescription}` : `Parameter '${key}' ${what}`);
  };
  const items = p.Type.startsWith('List<') || p.Type === 'CommaDelimitedList' ? value.split(',').map((s) => s.trim()) : [value];
  for (const item of items) {
    if (p.AllowedValues && !p.AllowedValues.map(String).includes(item)) {
      fail(`must be one of AllowedValues`);
    }
    if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(item)) {
      fail(`failed to satisfy constraint`);
    }
    if ((p.Type === 'Number' || p.Type === 'List<Number>') && (item === '' || Number.isNaN(Number(item)))) {
      fail(`must be a number`);
    }
    if (p.MinLength !== undefined && item.length < Number(p.MinLength)) fail(`must contain at least ${p.MinLength} characters`);
    if (p.MaxLength !== undefined && item.length > Number(p.MaxLength)) fail(`must contain at most ${p.MaxLength} characters`);
    if (p.MinValue !== undefined && Number(item) < Number(p.MinValue)) fail(`must be a number not less than ${p.MinValue}`);
    if (p.MaxValue !== undefined && Number(item) > Number(p.MaxValue)) fail(`must be a number not greater than ${p.MaxValue}`);
  }
}

/** NoEcho parameters are shown as `****` in DescribeStacks, as AWS masks them. */
export function isNoEcho(template: Template, key: string): boolean {
  const v = template.Parameters?.[key]?.NoEcho;
  return v === true || String(v).toLowerCase() === 'true';
}
