/**
 * Change sets: worked out in the background (CREATE_PENDING → CREATE_IN_PROGRESS → CREATE_COMPLETE,
 * or FAILED with AWS's "didn't contain changes" reason), then executed as a create or an update.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../errors.js';
import { computeChanges, sameDesired } from '../engine/diff.js';
import { reasonOf, stackEvent } from '../engine/events.js';
import { validationError } from '../engine/template.js';
import type { ChangeSetRecord, StackRecord } from '../model.js';
import { boolInput, checkName, type Params, required } from './inputs.js';
import { changeSetSummaryXml, changeSetXml } from './shapes.js';
import { type Api, checkUpdatable, desiredFrom, newStack, page } from './stacks.js';

export const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

const notFound = (name: string) =>
  new AwsError('ChangeSetNotFoundException', `ChangeSet [${name}] does not exist`, 404, { queryCode: 'ChangeSetNotFound' });

export async function createChangeSet(api: Api, region: string, p: Params) {
  const stackName = required(p, 'StackName');
  const name = checkName(required(p, 'ChangeSetName'), 'changeSetName');
  const type = (p.get('ChangeSetType') ?? 'UPDATE') as ChangeSetRecord['ChangeSetType'];
  if (type !== 'CREATE' && type !== 'UPDATE') throw validationError(`ChangeSetType ${type} is not supported by tap local (CREATE and UPDATE are).`);
  let stack = api.env.store.find(region, stackName);
  if (type === 'UPDATE') {
    if (!stack) throw validationError(`Stack [${stackName}] does not exist`);
    if (stack.StackStatus === 'REVIEW_IN_PROGRESS') {
      throw validationError(`Stack [${stackName}] is in REVIEW_IN_PROGRESS state and can not be updated. Use ChangeSetType CREATE.`);
    }
    checkUpdatable(stack);
  } else if (stack && stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
    throw validationError(`Stack [${stackName}] already exists and cannot be created again with the changeSet [${name}].`);
  }
  if (stack?.changeSets.some((c) => c.ChangeSetName === name)) {
    throw new AwsError('AlreadyExistsException', `ChangeSet ${name} already exists`);
  }
  const desired = await desiredFrom(api, region, p, type === 'UPDATE' ? stack : undefined);
  if (!stack) {
    // AWS creates the stack at once, in REVIEW_IN_PROGRESS, with no resources.
    stack = newStack(api, region, stackName, desired, 'REVIEW_IN_PROGRESS');
    stackEvent(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    await api.env.store.add(stack);
  }
  const changeSet: ChangeSetRecord = {
    ChangeSetId: `arn:aws:cloudformation:${region}:${api.ctx.accountId}:changeSet/${name}/${randomUUID()}`,
    ChangeSetName: name,
    ChangeSetType: type,
    ...(p.get('Description') ? { Description: p.get('Description')! } : {}),
    Status: 'CREATE_PENDING',
    ExecutionStatus: 'UNAVAILABLE',
    CreationTime: new Date().toISOString(),
    desired,
    changes: [],
  };
  stack.changeSets.push(changeSet);
  await api.env.store.save(stack);
  const target = stack;
  setImmediate(() => void workOut(api, target, changeSet));
  return { Id: changeSet.ChangeSetId, StackId: stack.StackId };
}

/** Computes the changes; resumes after a restart too (a pending change set is worked out again). */
export async function workOut(api: Api, stack: StackRecord, changeSet: ChangeSetRecord): Promise<void> {
  changeSet.Status = 'CREATE_IN_PROGRESS';
  try {
    changeSet.changes = computeChanges(api.env, stack, changeSet.desired);
    const nothing = changeSet.changes.length === 0 && changeSet.ChangeSetType === 'UPDATE' && sameDesired(stack.desired, changeSet.desired);
    if (nothing) {
      changeSet.Status = 'FAILED';
      changeSet.StatusReason = NO_CHANGES;
    } else {
      changeSet.Status = 'CREATE_COMPLETE';
      changeSet.ExecutionStatus = 'AVAILABLE';
    }
  } catch (error) {
    changeSet.Status = 'FAILED';
    changeSet.StatusReason = reasonOf(error);
  }
  await api.env.store.save(stack);
}

function find(api: Api, region: string, p: Params): { stack: StackRecord; changeSet: ChangeSetRecord } {
  const name = required(p, 'ChangeSetName');
  const stackName = p.get('StackName');
  if (!name.startsWith('arn:') && !stackName) {
    throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
  }
  const stacks = stackName ? [api.env.store.find(region, stackName)] : api.env.store.all(region);
  for (const stack of stacks) {
    const changeSet = stack?.changeSets.find((c) => c.ChangeSetId === name || c.ChangeSetName === name);
    if (stack && changeSet) return { stack, changeSet };
  }
  throw notFound(name);
}

export function describeChangeSet(api: Api, region: string, p: Params) {
  const { stack, changeSet } = find(api, region, p);
  const { items, next } = page(changeSet.changes, p.get('NextToken'));
  return { ...changeSetXml(stack, { ...changeSet, changes: items }), ...(next ? { NextToken: next } : {}) };
}

export function listChangeSets(api: Api, region: string, p: Params) {
  const stack = api.env.store.get(region, required(p, 'StackName'));
  const { items, next } = page(stack.changeSets, p.get('NextToken'));
  return { Summaries: items.length ? { member: items.map((c) => changeSetSummaryXml(stack, c)) } : '', ...(next ? { NextToken: next } : {}) };
}

export async function deleteChangeSet(api: Api, region: string, p: Params) {
  const { stack, changeSet } = find(api, region, p);
  if (changeSet.ExecutionStatus === 'EXECUTE_IN_PROGRESS') {
    throw new AwsError('InvalidChangeSetStatusException', `ChangeSet [${changeSet.ChangeSetId}] cannot be deleted in its current status of [EXECUTE_IN_PROGRESS]`, 400, { queryCode: 'InvalidChangeSetStatus' });
  }
  stack.changeSets = stack.changeSets.filter((c) => c !== changeSet);
  await api.env.store.save(stack);
  return {};
}

export async function executeChangeSet(api: Api, region: string, p: Params) {
  const { stack, changeSet } = find(api, region, p);
  if (changeSet.ExecutionStatus !== 'AVAILABLE') {
    throw new AwsError('InvalidChangeSetStatusException', `ChangeSet [${changeSet.ChangeSetId}] cannot be executed in its current status of [${changeSet.Status}]`, 400, { queryCode: 'InvalidChangeSetStatus' });
  }
  if (api.engine.isBusy(stack)) {
    // The API reference: InvalidChangeSetStatus when "the stack status might be UPDATE_IN_PROGRESS";
    // the message is UpdateStack's for the same state.
    throw new AwsError('InvalidChangeSetStatusException', `Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`, 400, { queryCode: 'InvalidChangeSetStatus' });
  }
  if (changeSet.ChangeSetType === 'UPDATE') checkUpdatable(stack);
  // Executing one change set makes the others meaningless: AWS deletes them.
  stack.changeSets = [changeSet];
  changeSet.ExecutionStatus = 'EXECUTE_IN_PROGRESS';
  const disableRollback = boolInput(p, 'DisableRollback');
  if (disableRollback !== undefined) stack.DisableRollback = disableRollback;
  if (changeSet.ChangeSetType === 'CREATE') {
    stack.desired = changeSet.desired;
    stack.operation = { kind: 'CREATE', touched: [], cleanup: [], changeSetId: changeSet.ChangeSetId };
    api.engine.create(stack);
  } else {
    api.engine.update(stack, changeSet.desired, p.get('ClientRequestToken'));
  }
  await api.env.store.save(stack);
  return {};
}
