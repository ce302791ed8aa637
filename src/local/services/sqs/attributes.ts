/**
 * Queue attributes: names, defaults, ranges and value checks, as the CreateQueue / SetQueueAttributes
 * API reference lists them (@aws-sdk/client-sqs model docs). Pure functions; checks that need other
 * queues (does the dead-letter target exist, does it allow this source) live in the store.
 */
import { invalidAttributeName, invalidAttributeValue, invalidParameterValue, invalidValue } from './errors.js';

const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

/** SQS's defaults for a standard queue (also what CloudFormation resets an attribute to when it is dropped). */
export const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576', // 1 MiB since August 2025 (was 256 KiB)
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true', // SSE-SQS is on by default for new queues
};

const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

const SETTABLE = new Set([
  ...Object.keys(RANGES), 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled',
]);
const FIFO_SETTABLE = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
/** Attributes SQS computes; readable, never settable. */
export const COMPUTED = [
  'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn',
] as const;
const READABLE = new Set([...SETTABLE, ...FIFO_SETTABLE, ...COMPUTED, 'FifoQueue']);

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export function defaultAttributes(fifo: boolean): Record<string, string> {
  return { ...STANDARD_DEFAULTS, ...(fifo ? FIFO_DEFAULTS : {}) };
}

export function isFifoRequested(attributes: Readonly<Record<string, string>>): boolean {
  return String(attributes.FifoQueue ?? '').toLowerCase() === 'true';
}

/** Queue names: 1–80 of [A-Za-z0-9_-]; a FIFO queue's ends in `.fifo`, which counts toward the 80. */
export function validateQueueName(name: string, fifo: boolean): void {
  const stem = fifo && name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (fifo && !name.endsWith('.fifo')) {
    throw invalidParameterValue(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  }
  if (!/^[A-Za-z0-9_-]+$/.test(stem) || name.length > 80) {
    throw invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
}

/** Checks names and values; returns the canonical values to store ('' means: remove the attribute). */
export function normalizeAttributes(
  input: Readonly<Record<string, unknown>>,
  options: { fifo: boolean; creating: boolean; current: Readonly<Record<string, string>> },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = String(raw ?? '');
    if (name === 'FifoQueue' && options.creating) {
      if (!options.fifo) throw invalidAttributeName(`Unknown Attribute ${name}.`);
      out[name] = 'true';
    } else if (FIFO_SETTABLE.has(name)) {
      if (!options.fifo) throw invalidAttributeName(`You can specify the ${name} only when FifoQueue is set to true.`);
      out[name] = fifoValue(name, value);
    } else if (!SETTABLE.has(name)) {
      throw invalidAttributeName(`Unknown Attribute ${name}.`);
    } else {
      out[name] = standardValue(name, value);
    }
  }
  const scope = out.DeduplicationScope ?? options.current.DeduplicationScope;
  if ((out.FifoThroughputLimit ?? options.current.FifoThroughputLimit) === 'perMessageGroupId' && scope !== 'messageGroup') {
    throw invalidAttributeValue('Invalid value for the parameter FifoThroughputLimit.');
  }
  // One server-side encryption at a time: a KMS key turns SSE-SQS off unless the caller says otherwise.
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === undefined) out.SqsManagedSseEnabled = 'false';
  return out;
}

function standardValue(name: string, value: string): string {
  const range = RANGES[name];
  if (range) {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < range[0] || n > range[1]) {
      throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
    }
    return String(n);
  }
  if (name === 'SqsManagedSseEnabled') return booleanValue(name, value);
  if (value === '') return ''; // Policy, RedrivePolicy, RedriveAllowPolicy, KmsMasterKeyId: cleared
  if (name === 'Policy') {
    if (!isJsonObject(value)) throw invalidAttributeValue('Invalid value for the parameter Policy.');
    return value;
  }
  if (name === 'RedrivePolicy') return JSON.stringify(parseRedrivePolicy(value));
  if (name === 'RedriveAllowPolicy') return normalizeRedriveAllowPolicy(value);
  return value;
}

function fifoValue(name: string, value: string): string {
  if (name === 'ContentBasedDeduplication') return booleanValue(name, value);
  const allowed = name === 'DeduplicationScope' ? ['messageGroup', 'queue'] : ['perQueue', 'perMessageGroupId'];
  if (!allowed.includes(value)) throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
  return value;
}

function booleanValue(name: string, value: string): string {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
  return lower;
}

export function parseRedrivePolicy(value: string): RedrivePolicy {
  const invalid = (reason: string) => invalidValue('RedrivePolicy', value, reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('Redrive policy is not a valid JSON map.');
  const target = parsed.deadLetterTargetArn;
  if (typeof target !== 'string' || !target) throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (parsed.maxReceiveCount === undefined) throw invalid('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = Number(parsed.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalid(`Invalid value for maxReceiveCount: ${String(parsed.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: target, maxReceiveCount: count };
}

export interface RedriveAllowPolicy {
  readonly redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  readonly sourceQueueArns?: readonly string[];
}

function normalizeRedriveAllowPolicy(value: string): string {
  const invalid = (reason: string) => invalidValue('RedriveAllowPolicy', value, reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalid('Redrive allow policy is not a valid JSON map.');
  }
  const permission = parsed?.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw invalid('Invalid value for redrivePermission.');
  }
  const arns = parsed.sourceQueueArns;
  if (permission !== 'byQueue' && arns !== undefined) {
    throw invalid('Only specify sourceQueueArns when redrivePermission is set to byQueue.');
  }
  if (permission === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0 || arns.length > 10 || !arns.every((a) => typeof a === 'string')) {
      throw invalid('Specify between 1 and 10 sourceQueueArns when redrivePermission is set to byQueue.');
    }
  }
  return JSON.stringify(permission === 'byQueue' ? { redrivePermission: permission, sourceQueueArns: arns } : { redrivePermission: permission });
}

export function allowsSource(allowPolicy: string | undefined, sourceArn: string): boolean {
  if (!allowPolicy) return true;
  const policy = JSON.parse(allowPolicy) as RedriveAllowPolicy;
  if (policy.redrivePermission === 'denyAll') return false;
  return policy.redrivePermission === 'allowAll' || (policy.sourceQueueArns ?? []).includes(sourceArn);
}

/** For GetQueueAttributes: `All` or known names, else InvalidAttributeName. */
export function checkReadableNames(names: readonly string[]): void {
  for (const name of names) {
    if (name !== 'All' && !READABLE.has(name)) throw invalidAttributeName(`Unknown Attribute ${name}.`);
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
