/** The stack operations: CreateStack, UpdateStack, DeleteStack and the read calls. */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../errors.js';
import type { LocalContext } from '../../../service.js';
import { sameDesired } from '../engine/diff.js';
import type { Engine } from '../engine/engine.js';
import { type EngineEnv, makePlan } from '../engine/plan.js';
import { checkRules } from '../engine/rules.js';
import { parseTemplate, resolveParameters, validationError } from '../engine/template.js';
import type { Desired, StackRecord, Template } from '../model.js';
import type { SsmService } from '../../ssm/service.js';
import { boolInput, checkName, listInput, type Params, parameterInputs, required, tagInputs, templateText } from './inputs.js';
import { eventXml, members, resourceXml, stackXml } from './shapes.js';
import { checkCapabilities } from './templates.js';

const PAGE = 100;
const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'];

export interface Api {
  readonly ctx: LocalContext;
  readonly env: EngineEnv;
  readonly engine: Engine;
}

export function newStack(api: Api, region: string, name: string, desired: Desired, status: string): StackRecord {
  return {
    StackId: `arn:aws:cloudformation:${region}:${api.ctx.accountId}:stack/${name}/${randomUUID()}`,
    StackName: name,
    region,
    StackStatus: status,
    CreationTime: new Date().toISOString(),
    DisableRollback: false,
    EnableTerminationProtection: false,
    desired,
    resources: {},
    outputs: [],
    events: [],
    changeSets: [],
    imports: [],
  };
}

/**
 * Everything a deploy request asks for, checked as AWS checks it before accepting the call: template
 * syntax, parameters, capabilities, rules (skipped ones are returned for an event).
 */
export async function desiredFrom(api: Api, region: string, p: Params, previous?: StackRecord): Promise<Desired> {
  let body = await templateText(api.ctx, p);
  if (body === undefined) {
    if (p.get('UsePreviousTemplate') === 'true' && previous) body = previous.desired.templateBody;
    else throw validationError('Either Template URL or Template Body must be specified.');
  }
  const template = parseTemplate(body);
  const parameters = resolveParameters(template, parameterInputs(p), previous?.desired.parameters);
  const capabilities = listInput(p, 'Capabilities');
  checkCapabilities(template, capabilities);
  const resolved = await resolveSsmParameters(api, region, template, parameters);
  const desired: Desired = {
    templateBody: body,
    parameters,
    ...(Object.keys(resolved).length ? { resolved } : {}),
    tags: tagInputs(p) ?? previous?.desired.tags ?? [],
    capabilities,
    notificationARNs: p.has('NotificationARNs.member.1') ? listInput(p, 'NotificationARNs') : previous?.desired.notificationARNs ?? [],
    ...(template.Description !== undefined ? { description: String(template.Description) } : {}),
  };
  // Evaluate what can be evaluated now (conditions, mappings, rules, functions, GetAtt attribute
  // names) so that a broken template fails the call itself, as on AWS; resources are not known yet.
  const probe = newStack(api, region, previous?.StackName ?? 'probe', desired, 'REVIEW_IN_PROGRESS');
  const plan = makePlan(api.env, probe, desired, new Set(Object.keys(template.Resources)));
  checkRules(plan.template, plan.evaluator);
  for (const id of plan.active) plan.evaluator.resolve(template.Resources[id]!.Properties ?? {});
  return desired;
}

/** `AWS::SSM::Parameter::Value<…>` parameters name an SSM parameter; the stack gets its value. */
async function resolveSsmParameters(api: Api, region: string, template: Template, values: Record<string, string>): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const [key, p] of Object.entries(template.Parameters ?? {})) {
    if (!p.Type.startsWith('AWS::SSM::Parameter::Value<')) continue;
    try {
      resolved[key] = (await api.ctx.service<SsmService>('ssm').getParameter(region, values[key]!)).Value;
    } catch {
      throw validationError(`Unable to fetch parameters [${values[key]}] from parameter store for this account.`);
    }
  }
  return resolved;
}

export async function createStack(api: Api, region: string, p: Params) {
  const name = checkName(required(p, 'StackName'), 'stackName');
  if (api.env.store.find(region, name)) {
    throw new AwsError('AlreadyExistsException', `Stack [${name}] already exists`);
  }
  const desired = await desiredFrom(api, region, p);
  const stack = newStack(api, region, name, desired, 'CREATE_IN_PROGRESS');
  const onFailure = p.get('OnFailure');
  if (onFailure && p.has('DisableRollback')) throw validationError('You may not specify both OnFailure and DisableRollback.');
  stack.DisableRollback = boolInput(p, 'DisableRollback') ?? onFailure === 'DO_NOTHING';
  if (onFailure === 'DELETE') stack.deleteOnFailure = true;
  stack.EnableTerminationProtection = boolInput(p, 'EnableTerminationProtection') ?? false;
  if (p.get('RoleARN')) stack.RoleARN = p.get('RoleARN')!;
  if (p.get('TimeoutInMinutes')) stack.TimeoutInMinutes = Number(p.get('TimeoutInMinutes'));
  // The engine's first step (CREATE_IN_PROGRESS, User Initiated) is taken before the stack's first
  // write starts, so that write holds it and the engine's own save of it writes nothing more.
  const added = api.env.store.add(stack);
  api.engine.create(stack);
  await added;
  return { StackId: stack.StackId };
}

export function checkUpdatable(stack: StackRecord): void {
  if (!UPDATABLE.includes(stack.StackStatus)) {
    throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
  }
}

export async function updateStack(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  checkUpdatable(stack);
  const desired = await desiredFrom(api, region, p, stack);
  if (sameDesired(stack.desired, desired)) throw validationError('No updates are to be performed.');
  if (p.has('DisableRollback')) stack.DisableRollback = p.get('DisableRollback') === 'true';
  api.engine.update(stack, desired, p.get('ClientRequestToken'));
  // Accepted means on disk: after a kill -9 the update is there to be rolled back, not forgotten.
  await api.env.store.save(stack);
  return { StackId: stack.StackId };
}

export async function deleteStack(api: Api, region: string, p: Params) {
  const stack = api.env.store.find(region, required(p, 'StackName'));
  // Deleting a stack that does not exist (or is already gone) succeeds, as on AWS.
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE' || stack.StackStatus === 'DELETE_IN_PROGRESS') return undefined;
  if (stack.EnableTerminationProtection) {
    throw validationError(`Stack [${stack.StackName}] cannot be deleted while TerminationProtection is enabled`);
  }
  const retain = listInput(p, 'RetainResources');
  if (retain.length && stack.StackStatus !== 'DELETE_FAILED') {
    throw validationError(`Invalid operation on stack [${stack.StackId}]. RetainResources can only be specified when stack is in DELETE_FAILED state`);
  }
  if (stack.StackStatus === 'CREATE_IN_PROGRESS' && stack.operation) {
    // AWS accepts it: the stack is deleted once its create has ended.
    stack.operation.deleteRequested = p.get('ClientRequestToken') ? { clientRequestToken: p.get('ClientRequestToken')! } : {};
    await api.env.store.save(stack);
    return undefined;
  }
  // AWS's wording (a stack in REVIEW_IN_PROGRESS has no operation running: it can be deleted).
  if (api.engine.isBusy(stack)) {
    throw validationError(`Stack [${stack.StackId}] cannot be deleted while in status ${stack.StackStatus}`);
  }
  api.engine.delete(stack, retain, p.get('ClientRequestToken'));
  await api.env.store.save(stack);
  return undefined;
}

export function describeStacks(api: Api, region: string, p: Params) {
  const name = p.get('StackName');
  const stacks = name
    ? [api.env.store.get(region, name)]
    : api.env.store.all(region).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').sort((a, b) => (a.CreationTime < b.CreationTime ? 1 : -1));
  const { items, next } = page(stacks, p.get('NextToken'));
  return { Stacks: members(items.map(stackXml)), ...(next ? { NextToken: next } : {}) };
}

export function describeStackEvents(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  const { items, next } = page([...stack.events].reverse(), p.get('NextToken'));
  return { StackEvents: members(items.map(eventXml)), ...(next ? { NextToken: next } : {}) };
}

function resourceOf(stack: StackRecord, logicalId: string) {
  const r = stack.resources[logicalId];
  if (!r) throw validationError(`Resource ${logicalId} does not exist for stack ${stack.StackName}`);
  return r;
}

export function describeStackResource(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  const r = resourceOf(stack, required(p, 'LogicalResourceId'));
  return {
    StackResourceDetail: {
      ...resourceXml(stack, r, 'LastUpdatedTimestamp'),
      ...(r.metadata ? { Metadata: JSON.stringify(r.metadata) } : {}),
    },
  };
}

export function describeStackResources(api: Api, region: string, p: Params) {
  const physical = p.get('PhysicalResourceId');
  const name = p.get('StackName');
  if (!physical && !name) throw validationError('Either StackName or PhysicalResourceId must be specified.');
  const stack = name
    ? api.env.store.get(region, name)
    : api.env.store.all(region).find((s) => s.StackStatus !== 'DELETE_COMPLETE' && Object.values(s.resources).some((r) => r.physicalId === physical));
  if (!stack) throw validationError(`Stack for ${physical} does not exist`);
  const logical = p.get('LogicalResourceId');
  const resources = Object.values(stack.resources).filter((r) => (!logical || r.logicalId === logical) && (!physical || r.physicalId === physical));
  return { StackResources: members(resources.map((r) => resourceXml(stack, r, 'Timestamp'))) };
}

export function listStackResources(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  const { items, next } = page(Object.values(stack.resources), p.get('NextToken'));
  const summaries = items.map((r) => {
    const { StackName: _n, StackId: _i, ...summary } = resourceXml(stack, r, 'LastUpdatedTimestamp');
    return summary;
  });
  return { StackResourceSummaries: members(summaries), ...(next ? { NextToken: next } : {}) };
}

export function listStacks(api: Api, region: string, p: Params) {
  const filter = listInput(p, 'StackStatusFilter');
  const stacks = api.env.store
    .all(region)
    .filter((s) => !filter.length || filter.includes(s.StackStatus))
    .sort((a, b) => (a.CreationTime < b.CreationTime ? 1 : -1));
  const { items, next } = page(stacks, p.get('NextToken'));
  return {
    StackSummaries: members(
      items.map((s) => ({
        StackId: s.StackId,
        StackName: s.StackName,
        ...(s.desired.description !== undefined ? { TemplateDescription: s.desired.description } : {}),
        CreationTime: s.CreationTime,
        ...(s.LastUpdatedTime ? { LastUpdatedTime: s.LastUpdatedTime } : {}),
        ...(s.DeletionTime ? { DeletionTime: s.DeletionTime } : {}),
        StackStatus: s.StackStatus,
        ...(s.StackStatusReason ? { StackStatusReason: s.StackStatusReason } : {}),
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
    ),
    ...(next ? { NextToken: next } : {}),
  };
}

export function listExports(api: Api, region: string, p: Params) {
  const exports = api.env.store
    .all(region)
    .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
    .flatMap((s) => s.outputs.filter((o) => o.ExportName).map((o) => ({ ExportingStackId: s.StackId, Name: o.ExportName!, Value: o.OutputValue })));
  const { items, next } = page(exports, p.get('NextToken'));
  return { Exports: members(items), ...(next ? { NextToken: next } : {}) };
}

export function listImports(api: Api, region: string, p: Params) {
  const name = required(p, 'ExportName');
  const importers = api.env.store.all(region).filter((s) => s.StackStatus !== 'DELETE_COMPLETE' && s.imports.includes(name));
  if (!api.env.store.all(region).some((s) => s.outputs.some((o) => o.ExportName === name))) {
    throw validationError(`Export '${name}' does not exist.`);
  }
  return { Imports: members(importers.map((s) => s.StackName)) };
}

export function updateTerminationProtection(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  stack.EnableTerminationProtection = p.get('EnableTerminationProtection') === 'true';
  void api.env.store.save(stack);
  return { StackId: stack.StackId };
}

/** NextToken is an opaque offset, as the SDK paginators only pass it back. */
export function page<T>(items: readonly T[], token: string | undefined, size = PAGE): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) || 0 : 0;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: Buffer.from(String(start + size)).toString('base64url') } : { items: slice };
}
