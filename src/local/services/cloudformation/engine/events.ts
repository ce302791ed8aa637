/** Stack and resource events, recorded as AWS names them (newest last here; the API reverses). */
import { randomUUID } from 'node:crypto';
import type { ResourceState, ResourceStatus, StackEvent, StackRecord } from '../model.js';

/** AWS keeps a stack's events for as long as the stack; a bound keeps a churned stack's file small. */
const MAX_EVENTS = 2000;

export function stackEvent(stack: StackRecord, status: string, reason?: string, token?: string): void {
  stack.StackStatus = status;
  if (reason === undefined) delete stack.StackStatusReason;
  else stack.StackStatusReason = reason;
  push(stack, {
    EventId: randomUUID(),
    StackId: stack.StackId,
    StackName: stack.StackName,
    LogicalResourceId: stack.StackName,
    PhysicalResourceId: stack.StackId,
    ResourceType: 'AWS::CloudFormation::Stack',
    Timestamp: new Date().toISOString(),
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
    ...(token ? { ClientRequestToken: token } : {}),
  });
}

export function resourceEvent(
  stack: StackRecord,
  resource: ResourceState,
  status: ResourceStatus,
  reason?: string,
  properties?: Record<string, unknown>,
): void {
  resource.status = status;
  if (reason === undefined) delete resource.statusReason;
  else resource.statusReason = reason;
  resource.lastUpdated = new Date().toISOString();
  push(stack, {
    EventId: `${resource.logicalId}-${status}-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`,
    StackId: stack.StackId,
    StackName: stack.StackName,
    LogicalResourceId: resource.logicalId,
    ...(resource.physicalId ? { PhysicalResourceId: resource.physicalId } : {}),
    ResourceType: resource.type,
    Timestamp: resource.lastUpdated,
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
    ...(properties ? { ResourceProperties: JSON.stringify(properties) } : {}),
    ...(stack.operation?.clientRequestToken ? { ClientRequestToken: stack.operation.clientRequestToken } : {}),
  });
}

/** The statuses in which no operation runs (REVIEW_IN_PROGRESS: a stack waiting for its first change set). */
export function isSettled(status: string): boolean {
  return !status.endsWith('_IN_PROGRESS') || status === 'REVIEW_IN_PROGRESS';
}

/**
 * The one step that ends an operation: in the same synchronous step the stack gets its final status
 * and event, loses its operation record, and the change set it executed records how that went. The
 * caller saves once; the store publishes the final status only once it is on disk (see StackStore),
 * so a reader never sees a final status that a kill -9 could take back, nor one that refuses the
 * next operation.
 */
export function finish(stack: StackRecord, status: string, reason?: string): void {
  delete stack.operation;
  if (status === 'DELETE_COMPLETE') {
    stack.DeletionTime = new Date().toISOString();
    stack.changeSets = [];
  }
  const executing = stack.changeSets.find((c) => c.ExecutionStatus === 'EXECUTE_IN_PROGRESS');
  if (executing) executing.ExecutionStatus = /ROLLBACK|FAILED/.test(status) ? 'EXECUTE_FAILED' : 'EXECUTE_COMPLETE';
  stackEvent(stack, status, reason);
}

function push(stack: StackRecord, event: StackEvent): void {
  stack.events.push(event);
  if (stack.events.length > MAX_EVENTS) stack.events.splice(0, stack.events.length - MAX_EVENTS);
}

/** An error's message as an event reason, prefixed as AWS prefixes service errors. */
export function reasonOf(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string };
  const code = e?.code ?? (e?.name && e.name !== 'Error' ? e.name : undefined);
  const message = e?.message ?? String(error);
  return code && !message.startsWith(code) && code !== 'ValidationError' ? `${message} (Service: tap local, Error Code: ${code})` : message;
}
