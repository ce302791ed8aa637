/**
 * SQS state: queues per region, persisted under `<dataDir>/sqs/<region>/queues/<name>/` (region and
 * name encoded by names.ts's fsName: `Orders` and `orders` are two folders everywhere). This is the
 * in-process API (the HTTP operations, the SqsApi other services use and the CloudFormation engine all
 * go through it), so every input check lives here or below.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFsName, fsName } from '../../names.js';
import { DIR_MODE, readJsonIfExistsSync, removeIfExistsSync, syncRemovalSync } from '../../storage.js';
import {
  allowsSource, checkReadableNames, defaultAttributes, isFifoRequested, normalizeAttributes, parseRedrivePolicy,
  validateQueueName,
} from './attributes.js';
import { invalidAddress, invalidParameterValue, invalidValue, missingParameter, queueDoesNotExist, queueNameExists } from './errors.js';
import { checkSend, type SendInput, type StoredMessage } from './messages.js';
import { Queue, type QueueMeta } from './queue.js';
import { type ReceiveOptions, receiveMessages } from './receive.js';

export class SqsStore {
  private readonly regions = new Map<string, Map<string, Queue>>();
  private closed = false;

  constructor(
    readonly root: string,
    readonly accountId: string,
    private readonly endpoint: () => string,
  ) {}

  load(): void {
    this.closed = false;
    for (const entry of listDirs(this.root)) {
      const region = decodeFsName(entry);
      if (region === undefined) continue;
      this.queues(region);
      for (const dir of listDirs(join(this.root, entry))) if (dir.startsWith('deleted-')) removeIfExistsSync(join(this.root, entry, dir));
      for (const dir of listDirs(join(this.root, entry, 'queues'))) {
        const path = join(this.root, entry, 'queues', dir);
        // Without its settings the queue's messages cannot be read either: the whole folder goes aside.
        const lost = `queue ${decodeFsName(dir) ?? dir} in ${region} with its messages`;
        const meta = readJsonIfExistsSync<QueueMeta>(join(path, 'queue.json'), { lost, moveAside: path });
        if (meta) this.queues(region).set(meta.name, Queue.open(path, meta, this.arn(region, meta.name)));
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const queues of this.regions.values()) for (const queue of queues.values()) queue.close();
  }

  reset(): void {
    this.close();
    this.regions.clear();
    removeIfExistsSync(this.root);
    this.closed = false;
  }

  arn(region: string, name: string): string {
    return `arn:aws:sqs:${region}:${this.accountId}:${name}`;
  }

  url(queue: Queue): string {
    return `${this.endpoint()}/${this.accountId}/${queue.meta.name}`;
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  regionDir(region: string): string {
    return join(this.root, fsName(region));
  }

  private queues(region: string): Map<string, Queue> {
    let queues = this.regions.get(region);
    if (!queues) this.regions.set(region, (queues = new Map()));
    return queues;
  }

  queue(region: string, name: unknown): Queue {
    if (typeof name !== 'string' || !name) throw missingParameter('QueueName');
    const queue = this.queues(region).get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** QueueUrl → queue. The URL carries account and name; the region is the request's, as on AWS. */
  queueByUrl(region: string, url: unknown): Queue {
    if (typeof url !== 'string' || !url) throw missingParameter('QueueUrl');
    let segments: string[];
    try {
      segments = new URL(url).pathname.split('/').filter(Boolean);
    } catch {
      throw invalidAddress(url);
    }
    if (segments.length < 2) throw invalidAddress(url);
    if (segments.at(-2) !== this.accountId) throw queueDoesNotExist();
    return this.queue(region, decodeURIComponent(segments.at(-1)!));
  }

  findByArn(arn: string): Queue | undefined {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || parts[4] !== this.accountId) return undefined;
    return this.regions.get(parts[3]!)?.get(parts[5]!);
  }

  queueByArn(arn: string): Queue {
    const queue = this.findByArn(arn);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** CreateQueue: idempotent when every given attribute matches the existing queue's value. */
  createQueue(region: string, name: unknown, attributes: Record<string, unknown> = {}, tags: Record<string, unknown> = {}): Queue {
    if (typeof name !== 'string' || !name) throw missingParameter('QueueName');
    const fifo = isFifoRequested(attributes as Record<string, string>);
    validateQueueName(name, fifo);
    const existing = this.queues(region).get(name);
    const given = normalizeAttributes(attributes, { fifo, creating: true, current: existing?.meta.attributes ?? defaultAttributes(fifo) });
    if (existing) {
      for (const [key, value] of Object.entries(given)) if ((existing.meta.attributes[key] ?? '') !== value) throw queueNameExists(key);
      return existing;
    }
    const arn = this.arn(region, name);
    this.checkRedrive(region, arn, fifo, given.RedrivePolicy);
    const now = Math.floor(Date.now() / 1000);
    const meta: QueueMeta = {
      name, region, fifo,
      attributes: withoutEmpty({ ...defaultAttributes(fifo), ...given }),
      tags: checkTags(tags, {}),
      created: now,
      lastModified: now,
    };
    const queue = Queue.create(join(this.regionDir(region), 'queues', fsName(name)), meta, arn);
    this.queues(region).set(name, queue);
    return queue;
  }

  /** The folder is renamed out of `queues/` first, so a crash mid-removal cannot leave half a queue. */
  deleteQueue(queue: Queue): void {
    queue.close();
    this.regions.get(queue.meta.region)?.delete(queue.meta.name);
    const trash = join(this.regionDir(queue.meta.region), `deleted-${randomUUID()}`);
    renameSync(queue.dir, trash);
    // The rename is the delete (load() removes leftover deleted-* folders): durable before the answer;
    // the files themselves go in the background, off the request's (or stack operation's) path.
    syncRemovalSync(queue.dir);
    syncRemovalSync(trash);
    void rm(trash, { recursive: true, force: true }).catch(() => undefined);
  }

  listQueues(region: string, prefix = ''): Queue[] {
    return [...this.queues(region).values()].filter((q) => q.meta.name.startsWith(prefix)).sort(byName);
  }

  deadLetterSources(dlq: Queue): Queue[] {
    return [...this.queues(dlq.meta.region).values()].filter((q) => q.redrivePolicy?.deadLetterTargetArn === dlq.arn).sort(byName);
  }

  /** GetQueueAttributes: `All` or the named ones; none asked, none returned. */
  attributes(queue: Queue, names: readonly string[]): Record<string, string> {
    checkReadableNames(names);
    if (names.length === 0) return {};
    const counts = queue.counts(Date.now());
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(queue.meta.created),
      LastModifiedTimestamp: String(queue.meta.lastModified),
      ...queue.meta.attributes,
    };
    if (names.includes('All')) return all;
    return Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n]!]));
  }

  setAttributes(queue: Queue, attributes: Record<string, unknown>): void {
    this.applyAttributes(queue, attributes);
    queue.saveMeta();
  }

  /** setAttributes with its write off the event loop (see Queue.saveMetaAsync). */
  async setAttributesAsync(queue: Queue, attributes: Record<string, unknown>): Promise<void> {
    this.applyAttributes(queue, attributes);
    await queue.saveMetaAsync();
  }

  private applyAttributes(queue: Queue, attributes: Record<string, unknown>): void {
    const given = normalizeAttributes(attributes, { fifo: queue.meta.fifo, creating: false, current: queue.meta.attributes });
    if (given.RedrivePolicy) this.checkRedrive(queue.meta.region, queue.arn, queue.meta.fifo, given.RedrivePolicy);
    queue.meta.attributes = withoutEmpty({ ...queue.meta.attributes, ...given });
    queue.meta.lastModified = Math.floor(Date.now() / 1000);
    queue.notify(); // a shorter retention or delay may change what a long poll can take
  }

  private checkRedrive(region: string, sourceArn: string, fifo: boolean, policyText: string | undefined): void {
    if (!policyText) return;
    const policy = parseRedrivePolicy(policyText);
    const dlq = this.findByArn(policy.deadLetterTargetArn);
    if (!dlq || dlq.meta.region !== region) throw invalidValue('RedrivePolicy', policyText, 'Dead letter target does not exist.');
    if (dlq.meta.fifo !== fifo) throw invalidValue('RedrivePolicy', policyText, 'Dead-letter queue must be same type of queue as the source.');
    if (!allowsSource(dlq.meta.attributes.RedriveAllowPolicy, sourceArn)) {
      throw invalidValue('RedrivePolicy', policyText, `Queue ${dlq.arn} does not allow this queue to use it as a dead-letter queue.`);
    }
  }

  tag(queue: Queue, tags: Record<string, unknown>): void {
    queue.meta.tags = checkTags(tags, queue.meta.tags);
    queue.saveMeta();
  }

  untag(queue: Queue, keys: readonly unknown[]): void {
    for (const key of keys) delete queue.meta.tags[String(key)];
    queue.saveMeta();
  }

  send(queue: Queue, input: SendInput, sender: string) {
    const checked = checkSend(input);
    const message = queue.send(checked, sender, Date.now());
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5,
      ...(message.md5Attributes ? { MD5OfMessageAttributes: message.md5Attributes } : {}),
      ...(checked.md5System ? { MD5OfMessageSystemAttributes: checked.md5System } : {}),
      ...(message.seq ? { SequenceNumber: message.seq } : {}),
    };
  }

  /** ReceiveMessage with long polling and redrive (receive.ts). */
  receive(queue: Queue, options: ReceiveOptions): Promise<StoredMessage[]> {
    return receiveMessages(this, queue, options);
  }

  /** Whether a long poll on `queue` should go on: the store is open and the queue not deleted. */
  isLive(queue: Queue): boolean {
    return !this.closed && this.regions.get(queue.meta.region)?.get(queue.meta.name) === queue;
  }

  deleteMessage(queue: Queue, handle: unknown): void {
    if (typeof handle !== 'string' || !handle) throw missingParameter('ReceiptHandle');
    queue.delete(handle, Date.now());
  }

  changeVisibility(queue: Queue, handle: unknown, seconds: unknown): void {
    if (typeof handle !== 'string' || !handle) throw missingParameter('ReceiptHandle');
    if (seconds === undefined || seconds === null) throw missingParameter('VisibilityTimeout');
    const n = Number(seconds);
    if (!Number.isInteger(n) || n < 0 || n > 43_200) {
      throw invalidValue('VisibilityTimeout', seconds, 'VisibilityTimeout must be an integer between 0 and 43200.');
    }
    queue.changeVisibility(handle, n, Date.now());
  }

  purge(queue: Queue): void {
    queue.purge(Date.now());
  }
}

function checkTags(tags: Record<string, unknown>, current: Record<string, string>): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length < 1 || key.length > 128) throw invalidParameterValue('Tag keys must be between 1 and 128 characters in length.');
    if (String(value ?? '').length > 256) throw invalidParameterValue('Tag values must be between 0 and 256 characters in length.');
    next[key] = String(value ?? '');
  }
  if (Object.keys(next).length > 50) throw invalidParameterValue('Too many tags added for queue. A queue can have at most 50 tags.');
  return next;
}

function withoutEmpty(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== ''));
}

const byName = (a: Queue, b: Queue) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0);

function listDirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    mkdirSync(path, { recursive: true, mode: DIR_MODE });
    return [];
  }
}
