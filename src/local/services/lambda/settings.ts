/**
 * Per-function settings stored with the function: the resource-based policy (AddPermission,
 * RemovePermission, GetPolicy — stored and returned, not enforced), the asynchronous invoke config
 * (Put/Update/Get/Delete/ListFunctionEventInvokeConfig) and reserved concurrency.
 */
import { randomUUID } from 'node:crypto';
import { conflict, invalidParameter, notFound, preconditionFailed, validation } from './errors.js';
import type { EventInvokeConfig, FunctionRecord, PolicyStatement } from './model.js';
import type { FunctionStore } from './store.js';

type Input = Record<string, any>;

/** Account concurrency as GetAccountSettings reports it; 100 must stay unreserved (Lambda quotas). */
export const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

export async function addPermission(store: FunctionStore, fn: FunctionRecord, input: Input): Promise<PolicyStatement> {
  const sid = input.StatementId;
  if (typeof sid !== 'string' || !/^[a-zA-Z0-9-_.]{1,100}$/.test(sid)) {
    throw validation(sid, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)');
  }
  if (typeof input.Action !== 'string' || !/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(input.Action)) {
    throw validation(input.Action, 'action', 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])');
  }
  if (typeof input.Principal !== 'string' || !input.Principal) throw validation(input.Principal, 'principal', 'Member must not be null');
  if (input.RevisionId !== undefined && input.RevisionId !== (fn.policyRevisionId ?? fn.revisionId)) throw preconditionFailed();
  if (fn.policy.some((s) => s.Sid === sid)) {
    throw conflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
  }
  const condition: Record<string, Record<string, string>> = {};
  if (input.SourceArn) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (input.SourceAccount) condition.StringEquals = { ...condition.StringEquals, 'AWS:SourceAccount': input.SourceAccount };
  if (input.PrincipalOrgID) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': input.PrincipalOrgID };
  if (input.FunctionUrlAuthType) condition.StringEquals = { ...condition.StringEquals, 'lambda:FunctionUrlAuthType': input.FunctionUrlAuthType };
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: principal(input.Principal),
    Action: input.Action,
    Resource: store.arn(fn),
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
  fn.policy.push(statement);
  fn.policyRevisionId = randomUUID();
  await store.save(fn);
  return statement;
}

function principal(p: string): unknown {
  if (p === '*') return '*';
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith('arn:')) return { AWS: p };
  return { Service: p };
}

export async function removePermission(store: FunctionStore, fn: FunctionRecord, sid: string, revisionId?: string | null): Promise<void> {
  if (revisionId && revisionId !== (fn.policyRevisionId ?? fn.revisionId)) throw preconditionFailed();
  const i = fn.policy.findIndex((s) => s.Sid === sid);
  if (i < 0) throw notFound(`Statement ${sid} is not found in resource policy.`);
  fn.policy.splice(i, 1);
  fn.policyRevisionId = randomUUID();
  await store.save(fn);
}

export function getPolicy(fn: FunctionRecord) {
  if (fn.policy.length === 0) throw notFound('The resource you requested does not exist.');
  return {
    Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: fn.policy }),
    RevisionId: fn.policyRevisionId ?? fn.revisionId,
  };
}

function checkDestination(arn: unknown, onFailure: boolean): void {
  if (arn === undefined || arn === null || arn === '') return;
  const services = onFailure ? /^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events|s3):/ : /^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):/;
  if (typeof arn !== 'string' || !services.test(arn)) throw invalidParameter(`The destination ARN ${String(arn)} is invalid.`);
}

/** PutFunctionEventInvokeConfig (`replace`) and UpdateFunctionEventInvokeConfig (merge). */
export async function putInvokeConfig(store: FunctionStore, fn: FunctionRecord, input: Input, replace: boolean): Promise<void> {
  const base: Partial<EventInvokeConfig> = replace ? {} : (fn.eventInvokeConfig ?? {});
  const retries = input.MaximumRetryAttempts ?? base.MaximumRetryAttempts;
  const age = input.MaximumEventAgeInSeconds ?? base.MaximumEventAgeInSeconds;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 2)) {
    throw validation(retries, 'maximumRetryAttempts', 'Member must have value between 0 and 2');
  }
  if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 21_600)) {
    throw validation(age, 'maximumEventAgeInSeconds', 'Member must have value between 60 and 21600');
  }
  const onSuccess = input.DestinationConfig?.OnSuccess?.Destination ?? base.DestinationConfig?.OnSuccess?.Destination;
  const onFailure = input.DestinationConfig?.OnFailure?.Destination ?? base.DestinationConfig?.OnFailure?.Destination;
  checkDestination(onSuccess, false);
  checkDestination(onFailure, true);
  fn.eventInvokeConfig = {
    LastModified: Date.now() / 1000,
    ...(retries !== undefined ? { MaximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
    DestinationConfig: {
      ...(onSuccess ? { OnSuccess: { Destination: onSuccess } } : {}),
      ...(onFailure ? { OnFailure: { Destination: onFailure } } : {}),
    },
  };
  await store.save(fn);
}

export function invokeConfigShape(store: FunctionStore, fn: FunctionRecord) {
  const c = fn.eventInvokeConfig;
  if (!c) throw notFound(`The function ${store.arn(fn)}:$LATEST doesn't have an EventInvokeConfig`);
  return {
    LastModified: c.LastModified,
    FunctionArn: `${store.arn(fn)}:$LATEST`,
    ...(c.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.MaximumRetryAttempts } : {}),
    ...(c.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds } : {}),
    DestinationConfig: { OnSuccess: c.DestinationConfig?.OnSuccess ?? {}, OnFailure: c.DestinationConfig?.OnFailure ?? {} },
  };
}

export async function putConcurrency(store: FunctionStore, fn: FunctionRecord, value: unknown): Promise<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validation(value, 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
  }
  const others = store.all().filter((f) => f !== fn && f.region === fn.region).reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0);
  if (ACCOUNT_CONCURRENCY - others - value < MIN_UNRESERVED) {
    throw invalidParameter(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
    );
  }
  fn.reservedConcurrency = value;
  await store.save(fn);
  return value;
}
