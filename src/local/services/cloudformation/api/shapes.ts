/** Records → the XML shapes the CloudFormation API returns (awsQuery: lists as `<member>` elements). */
import { isNoEcho, parseTemplate } from '../engine/template.js';
import type { Change, ChangeSetRecord, ResourceState, StackEvent, StackRecord } from '../model.js';

export const members = <T>(items: readonly T[]) => (items.length ? { member: items } : '');

const NOT_CHECKED = { StackDriftStatus: 'NOT_CHECKED' };

/** NoEcho parameter names by template body: DescribeStacks is polled, and parsing is its main cost. */
const noEchoCache = new Map<string, Set<string>>();
const NO_ECHO_CACHE_SIZE = 32;

function noEchoKeys(templateBody: string): Set<string> {
  let keys = noEchoCache.get(templateBody);
  if (keys) return keys;
  keys = new Set();
  try {
    const template = parseTemplate(templateBody);
    for (const key of Object.keys(template.Parameters ?? {})) if (isNoEcho(template, key)) keys.add(key);
  } catch {
    // a template stored before a parser change: nothing is masked rather than the call failing
  }
  if (noEchoCache.size >= NO_ECHO_CACHE_SIZE) noEchoCache.delete(noEchoCache.keys().next().value!);
  noEchoCache.set(templateBody, keys);
  return keys;
}

/** Parameters as DescribeStacks shows them: NoEcho values masked. */
export function parametersXml(templateBody: string, values: Record<string, string>, resolved: Record<string, string> = {}) {
  const entries = Object.entries(values);
  const noEcho = entries.length ? noEchoKeys(templateBody) : new Set<string>();
  return members(
    entries.map(([key, value]) => ({
      ParameterKey: key,
      ParameterValue: noEcho.has(key) ? '****' : value,
      ...(resolved[key] !== undefined ? { ResolvedValue: resolved[key] } : {}),
    })),
  );
}

export function stackXml(stack: StackRecord) {
  const lastChangeSet = stack.changeSets.find((c) => c.ExecutionStatus.startsWith('EXECUTE') || stack.StackStatus === 'REVIEW_IN_PROGRESS');
  return {
    StackId: stack.StackId,
    StackName: stack.StackName,
    ...(lastChangeSet ? { ChangeSetId: lastChangeSet.ChangeSetId } : {}),
    ...(stack.desired.description !== undefined ? { Description: stack.desired.description } : {}),
    Parameters: parametersXml(stack.desired.templateBody, stack.desired.parameters, stack.desired.resolved),
    CreationTime: stack.CreationTime,
    ...(stack.DeletionTime ? { DeletionTime: stack.DeletionTime } : {}),
    ...(stack.LastUpdatedTime ? { LastUpdatedTime: stack.LastUpdatedTime } : {}),
    StackStatus: stack.StackStatus,
    ...(stack.StackStatusReason ? { StackStatusReason: stack.StackStatusReason } : {}),
    DisableRollback: stack.DisableRollback,
    NotificationARNs: members(stack.desired.notificationARNs),
    ...(stack.TimeoutInMinutes ? { TimeoutInMinutes: stack.TimeoutInMinutes } : {}),
    Capabilities: members(stack.desired.capabilities),
    Outputs: members(stack.outputs),
    ...(stack.RoleARN ? { RoleARN: stack.RoleARN } : {}),
    Tags: members(stack.desired.tags),
    EnableTerminationProtection: stack.EnableTerminationProtection,
    DriftInformation: NOT_CHECKED,
  };
}

export function eventXml(e: StackEvent) {
  return e;
}

export function resourceXml(stack: StackRecord, r: ResourceState, timestampField: 'Timestamp' | 'LastUpdatedTimestamp') {
  return {
    StackName: stack.StackName,
    StackId: stack.StackId,
    LogicalResourceId: r.logicalId,
    ...(r.physicalId ? { PhysicalResourceId: r.physicalId } : {}),
    ResourceType: r.type,
    [timestampField]: r.lastUpdated,
    ResourceStatus: r.status,
    ...(r.statusReason ? { ResourceStatusReason: r.statusReason } : {}),
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

export function changeXml(c: Change) {
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: c.Action,
      LogicalResourceId: c.LogicalResourceId,
      ...(c.PhysicalResourceId ? { PhysicalResourceId: c.PhysicalResourceId } : {}),
      ResourceType: c.ResourceType,
      ...(c.Replacement ? { Replacement: c.Replacement } : {}),
      Scope: members(c.Scope),
      Details: members(c.Details),
    },
  };
}

export function changeSetSummaryXml(stack: StackRecord, c: ChangeSetRecord) {
  return {
    StackId: stack.StackId,
    StackName: stack.StackName,
    ChangeSetId: c.ChangeSetId,
    ChangeSetName: c.ChangeSetName,
    ExecutionStatus: c.ExecutionStatus,
    Status: c.Status,
    ...(c.StatusReason ? { StatusReason: c.StatusReason } : {}),
    CreationTime: c.CreationTime,
    ...(c.Description ? { Description: c.Description } : {}),
    IncludeNestedStacks: false,
  };
}

export function changeSetXml(stack: StackRecord, c: ChangeSetRecord) {
  return {
    ChangeSetName: c.ChangeSetName,
    ChangeSetId: c.ChangeSetId,
    StackId: stack.StackId,
    StackName: stack.StackName,
    ...(c.Description ? { Description: c.Description } : {}),
    Parameters: parametersXml(c.desired.templateBody, c.desired.parameters),
    CreationTime: c.CreationTime,
    ExecutionStatus: c.ExecutionStatus,
    Status: c.Status,
    ...(c.StatusReason ? { StatusReason: c.StatusReason } : {}),
    NotificationARNs: members(c.desired.notificationARNs),
    Capabilities: members(c.desired.capabilities),
    Tags: members(c.desired.tags),
    Changes: members(c.changes.map(changeXml)),
    IncludeNestedStacks: false,
  };
}
