/** Names, ARNs, inputs and pages as Step Functions checks them, with its error codes and wording. */
import { AwsError } from '../../errors.js';
import { depth, MAX_DEPTH } from './definition.js';
import { MAX_PAYLOAD } from './executions.js';

/** 1–80 characters; no whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;

export function validName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new AwsError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (name.length > 80) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to 80`);
  }
  if (!NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}

export function validRoleArn(arn: unknown): string {
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) {
    throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
  }
  return arn;
}

/** An ARN of the given resource type (`stateMachine`, `execution`) in Step Functions' format. */
export function validArn(arn: unknown, type: 'stateMachine' | 'execution'): string {
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states') throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${String(arn)}'`);
  if (parts[5] !== type) throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${parts[5]}'`);
  return arn as string;
}

/** Execution input: JSON text within 256 KiB (bytes) and a sane nesting depth; `{}` when absent. */
export function validInput(input: unknown): string {
  if (input === undefined || input === null) return '{}';
  if (typeof input !== 'string') throw new AwsError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input must be a JSON text');
  if (Buffer.byteLength(input) > MAX_PAYLOAD) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (error) {
    throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  if (depth(parsed) > MAX_DEPTH) throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'nested deeper than ${MAX_DEPTH} levels'`);
  return input;
}

/** A page of `items` from an opaque token; maxResults 0 (or absent) means the default of 100, at most 1000. */
export function page<T>(items: T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken?: string } {
  const { start, max } = pageBounds(maxResults, nextToken);
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: tokenAt(end) } : {}) };
}

/** Where a page starts and how long it is (for lists read as a stream). */
export function pageBounds(maxResults: unknown, nextToken: unknown): { start: number; max: number } {
  const max = maxResults === undefined || maxResults === 0 ? 100 : Number(maxResults);
  if (!Number.isInteger(max) || max < 0 || max > 1000) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
  }
  let start = 0;
  if (nextToken !== undefined) {
    try {
      start = JSON.parse(Buffer.from(String(nextToken), 'base64').toString('utf8')).offset;
    } catch {
      start = -1;
    }
    if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidToken', `Invalid Token: '${String(nextToken).slice(0, 100)}'`);
  }
  return { start, max };
}

export const tokenAt = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64');
