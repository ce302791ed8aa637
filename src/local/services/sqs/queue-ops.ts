/**
 * The queue operations, wire-independent: a JSON-shaped input in (as awsJson sends it; query.ts turns
 * form parameters into the same shape), a JSON-shaped output back.
 */
import { invalidParameterValue, invalidValue, missingParameter, queueDoesNotExist } from './errors.js';
import type { MoveTasks } from './move-tasks.js';
import type { Queue } from './queue.js';
import type { SqsStore } from './store.js';

/** Who is calling, from where: region from the SigV4 scope, sender from the access key. */
export interface Call {
  readonly region: string;
  readonly sender: string;
  /** Aborted when the client goes away or the server stops (long polls end). */
  readonly signal?: AbortSignal;
}

/** Wire input: untrusted, checked field by field where it is used. */
export type Input = Record<string, any>;
export type Operation = (input: Input, call: Call) => unknown;

export function queueOperations(store: SqsStore, tasks: MoveTasks): Record<string, Operation> {
  const queueOf = (input: Input, call: Call) => store.queueByUrl(call.region, input.QueueUrl);
  const urls = (queues: Queue[]) => queues.map((q) => store.url(q));
  return {
    CreateQueue: (input, call) => ({
      QueueUrl: store.url(store.createQueue(call.region, input.QueueName, map(input.Attributes), map(input.tags))),
    }),
    GetQueueUrl: (input, call) => {
      if (input.QueueOwnerAWSAccountId !== undefined && input.QueueOwnerAWSAccountId !== store.accountId) throw queueDoesNotExist();
      return { QueueUrl: store.url(store.queue(call.region, input.QueueName)) };
    },
    ListQueues: (input, call) => {
      const prefix = input.QueueNamePrefix === undefined ? '' : String(input.QueueNamePrefix);
      const { page, next } = paginate(store.listQueues(call.region, prefix), input.MaxResults, input.NextToken);
      return { ...(page.length ? { QueueUrls: urls(page) } : {}), ...(next ? { NextToken: next } : {}) };
    },
    DeleteQueue: (input, call) => {
      store.deleteQueue(queueOf(input, call));
      return {};
    },
    GetQueueAttributes: (input, call) => {
      const attributes = store.attributes(queueOf(input, call), strings(input.AttributeNames));
      return Object.keys(attributes).length ? { Attributes: attributes } : {};
    },
    SetQueueAttributes: (input, call) => {
      const queue = queueOf(input, call);
      if (input.Attributes === undefined || input.Attributes === null) throw missingParameter('Attributes');
      store.setAttributes(queue, map(input.Attributes));
      return {};
    },
    TagQueue: (input, call) => {
      const queue = queueOf(input, call);
      if (!input.Tags || typeof input.Tags !== 'object' || Object.keys(input.Tags).length === 0) {
        throw missingParameter('Tags');
      }
      store.tag(queue, map(input.Tags));
      return {};
    },
    UntagQueue: (input, call) => {
      const queue = queueOf(input, call);
      const keys = strings(input.TagKeys);
      if (keys.length === 0) throw missingParameter('TagKeys');
      store.untag(queue, keys);
      return {};
    },
    ListQueueTags: (input, call) => {
      const tags = queueOf(input, call).meta.tags;
      return Object.keys(tags).length ? { Tags: { ...tags } } : {};
    },
    ListDeadLetterSourceQueues: (input, call) => {
      const { page, next } = paginate(store.deadLetterSources(queueOf(input, call)), input.MaxResults, input.NextToken);
      return { queueUrls: urls(page), ...(next ? { NextToken: next } : {}) };
    },
    StartMessageMoveTask: (input) => ({ TaskHandle: tasks.start(input) }),
    ListMessageMoveTasks: (input) => ({ Results: tasks.list(input) }),
    CancelMessageMoveTask: (input) => ({ ApproximateNumberOfMessagesMoved: tasks.cancel(input.TaskHandle) }),
  };
}

/**
 * ListQueues / ListDeadLetterSourceQueues paging: up to 1,000 without MaxResults and then no
 * NextToken (API reference: "You must set MaxResults to receive a value for NextToken").
 */
function paginate(queues: Queue[], maxResults: unknown, nextToken: unknown): { page: Queue[]; next?: string } {
  if (maxResults !== undefined && maxResults !== null && (!Number.isInteger(maxResults) || (maxResults as number) < 1 || (maxResults as number) > 1000)) {
    throw invalidValue('MaxResults', maxResults, 'MaxResults must be an integer between 1 and 1000.');
  }
  let start = 0;
  if (nextToken !== undefined && nextToken !== null && nextToken !== '') {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(String(nextToken), 'base64url').toString('utf8')) as { after?: unknown }).after;
    } catch {
      throw invalidParameterValue('Invalid NextToken value.');
    }
    if (typeof after !== 'string') throw invalidParameterValue('Invalid NextToken value.');
    start = queues.findIndex((q) => q.meta.name > after);
    if (start < 0) start = queues.length;
  }
  const size = typeof maxResults === 'number' ? maxResults : 1000;
  const page = queues.slice(start, start + size);
  const more = typeof maxResults === 'number' && start + size < queues.length;
  return { page, ...(more ? { next: Buffer.from(JSON.stringify({ after: page.at(-1)!.meta.name })).toString('base64url') } : {}) };
}

export function map(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameterValue('Expected a map of names to values.');
  return value as Record<string, unknown>;
}

export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameterValue('Expected a list of names.');
  return value.map(String);
}
