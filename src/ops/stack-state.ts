import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { sdk } from './sdk.js';

/** A stack as far as deploy, diff and destroy care. */
export interface StackState {
  readonly name: string;
  readonly id: string;
  readonly status: string;
  readonly outputs: Record<string, string>;
  readonly parameters: Record<string, string>;
  readonly tags: Record<string, string>;
}

export async function describeStack(cfn: CloudFormationClient, name: string): Promise<StackState | undefined> {
  const { DescribeStacksCommand } = sdk.cloudformation();
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? toState(stack) : undefined;
  } catch (error) {
    // CloudFormation says "Stack with id X does not exist" as a ValidationError.
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

function toState(stack: Stack): StackState {
  const pairs = <T>(items: T[] | undefined, key: (t: T) => string | undefined, value: (t: T) => string | undefined) =>
    Object.fromEntries((items ?? []).map((i) => [key(i) ?? '', value(i) ?? '']));
  return {
    name: stack.StackName ?? '',
    id: stack.StackId ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    outputs: pairs(stack.Outputs, (o) => o.OutputKey, (o) => o.OutputValue),
    parameters: pairs(stack.Parameters, (p) => p.ParameterKey, (p) => p.ParameterValue),
    tags: pairs(stack.Tags, (t) => t.Key, (t) => t.Value),
  };
}

export const isInProgress = (status: string) => status.endsWith('_IN_PROGRESS');

/** Statuses from which the stack cannot be updated, only deleted (a failed first create). */
export const needsRecreate = (status: string) => status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED';

/** The deployed template, as CloudFormation stores it (the original, before transforms). */
export async function deployedTemplate(cfn: CloudFormationClient, name: string): Promise<unknown> {
  const { GetTemplateCommand } = sdk.cloudformation();
  const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' }));
  return TemplateBody ? JSON.parse(TemplateBody) : {};
}

/** Structural equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
