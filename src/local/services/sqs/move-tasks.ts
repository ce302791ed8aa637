/**
 * Dead-letter queue redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): a
 * background task in this process moves the DLQ's visible messages, oldest first, to DestinationArn or
 * else to each message's DeadLetterQueueSourceArn. A moved message keeps its id, body, attributes and
 * SentTimestamp and starts over in its new queue (receive count 0, new retention clock), or it would
 * bounce straight back on its next receive. Tasks are kept per region in move-tasks.json; a RUNNING
 * task resumes after a restart. Each move appends to the destination before deleting from the source,
 * so a crash in between duplicates a message rather than losing it (at-least-once, as SQS).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readJsonIfExistsSync, writeFileAtomicSync } from '../../storage.js';
import { invalidParameterValue, invalidValue, resourceNotFound } from './errors.js';
import type { StoredMessage } from './messages.js';
import type { Queue } from './queue.js';
import type { SqsStore } from './store.js';

type Status = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  readonly taskId: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly maxPerSecond?: number;
  readonly started: number;
  readonly toMove: number;
  moved: number;
  status: Status;
  failureReason?: string;
}

const KEPT_PER_SOURCE = 10; // ListMessageMoveTasks shows at most the 10 most recent

export class MoveTasks {
  private readonly tasks = new Map<string, MoveTask[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly savedAt = new Map<string, number>();

  constructor(private readonly store: SqsStore) {}

  /** Reads every region's tasks and resumes those that were running. */
  load(regions: readonly string[]): void {
    for (const region of regions) {
      const tasks = readJsonIfExistsSync<MoveTask[]>(this.file(region)) ?? [];
      this.tasks.set(region, tasks);
      for (const task of tasks) {
        if (task.status === 'CANCELLING') task.status = 'CANCELLED';
        if (task.status === 'RUNNING') this.schedule(task, 0);
      }
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const region of this.tasks.keys()) this.save(region);
  }

  reset(): void {
    this.stop();
    this.tasks.clear();
  }

  start(input: { SourceArn?: unknown; DestinationArn?: unknown; MaxNumberOfMessagesPerSecond?: unknown }): string {
    const source = this.queueOf(input.SourceArn, 'SourceArn');
    if (this.store.deadLetterSources(source).length === 0) throw invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    const destination = input.DestinationArn === undefined || input.DestinationArn === null ? undefined : this.queueOf(input.DestinationArn, 'DestinationArn');
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && rate !== null && (!Number.isInteger(rate) || (rate as number) < 1 || (rate as number) > 500)) {
      throw invalidValue('MaxNumberOfMessagesPerSecond', rate, 'Must be between 1 and 500.');
    }
    const tasks = this.tasksOf(source.meta.region);
    if (tasks.some((t) => t.sourceArn === source.arn && (t.status === 'RUNNING' || t.status === 'CANCELLING'))) {
      throw invalidParameterValue('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    const task: MoveTask = {
      taskId: randomUUID(),
      sourceArn: source.arn,
      ...(destination ? { destinationArn: destination.arn } : {}),
      ...(typeof rate === 'number' ? { maxPerSecond: rate } : {}),
      started: Date.now(),
      toMove: source.counts(Date.now()).visible,
      moved: 0,
      status: 'RUNNING',
    };
    tasks.unshift(task);
    const older = tasks.filter((t) => t.sourceArn === source.arn).slice(KEPT_PER_SOURCE);
    this.tasks.set(source.meta.region, tasks.filter((t) => !older.includes(t)));
    this.save(source.meta.region);
    this.schedule(task, 0);
    return handleOf(task);
  }

  list(input: { SourceArn?: unknown; MaxResults?: unknown }) {
    const source = this.queueOf(input.SourceArn, 'SourceArn');
    const max = input.MaxResults ?? 1;
    if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10) throw invalidValue('MaxResults', max, 'Must be between 1 and 10.');
    return this.tasksOf(source.meta.region)
      .filter((t) => t.sourceArn === source.arn)
      .slice(0, max as number)
      .map((t) => ({
        ...(t.status === 'RUNNING' ? { TaskHandle: handleOf(t) } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.maxPerSecond ? { MaxNumberOfMessagesPerSecond: t.maxPerSecond } : {}),
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
        StartedTimestamp: t.started,
      }));
  }

  /** Stops a running task; what it moved stays moved. */
  cancel(handle: unknown): number {
    let parsed: { taskId?: string; sourceArn?: string };
    try {
      parsed = JSON.parse(Buffer.from(String(handle), 'base64').toString('utf8')) as typeof parsed;
    } catch {
      throw invalidValue('TaskHandle', handle, 'Value for parameter TaskHandle is invalid.');
    }
    const source = this.queueOf(parsed.sourceArn, 'SourceArn');
    const task = this.tasksOf(source.meta.region).find((t) => t.taskId === parsed.taskId);
    if (!task) throw resourceNotFound('Task does not exist.');
    if (task.status !== 'RUNNING') throw invalidParameterValue(`Only a RUNNING task can be cancelled; this one is ${task.status}.`);
    this.finish(task, 'CANCELLED');
    return task.moved;
  }

  private queueOf(arn: unknown, parameter: string): Queue {
    if (typeof arn !== 'string' || !/^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/.test(arn)) {
      throw invalidParameterValue(`You must use this format to specify the ${parameter}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>`);
    }
    const queue = this.store.findByArn(arn);
    if (!queue) throw resourceNotFound(`The resource that you specified for the ${parameter} parameter doesn't exist.`);
    return queue;
  }

  private schedule(task: MoveTask, delayMs: number): void {
    this.timers.set(task.taskId, setTimeout(() => this.step(task), delayMs));
  }

  /** Moves one message at the task's rate, or up to 100 per turn of the event loop without one. */
  private step(task: MoveTask): void {
    this.timers.delete(task.taskId);
    if (task.status !== 'RUNNING') return;
    const source = this.store.findByArn(task.sourceArn);
    if (!source) return this.finish(task, 'FAILED', 'AWS.SimpleQueueService.NonExistentQueue');
    for (let i = 0; i < (task.maxPerSecond ? 1 : 100); i++) {
      const now = Date.now();
      const message = source.firstVisible(now);
      if (!message) return this.finish(task, 'COMPLETED');
      const target = task.destinationArn ?? message.dlqSource;
      const destination = target ? this.store.findByArn(target) : undefined;
      if (!destination) {
        return this.finish(task, 'FAILED', target ? 'AWS.SimpleQueueService.NonExistentQueue' : 'CouldNotDetermineMessageSource');
      }
      destination.put(redriven(message, destination, now));
      source.remove(message.id, now);
      task.moved++;
    }
    const region = source.meta.region;
    if (Date.now() - (this.savedAt.get(region) ?? 0) > 500) this.save(region);
    this.schedule(task, task.maxPerSecond ? 1000 / task.maxPerSecond : 0);
  }

  private finish(task: MoveTask, status: Status, failureReason?: string): void {
    task.status = status;
    if (failureReason) task.failureReason = failureReason;
    clearTimeout(this.timers.get(task.taskId));
    this.timers.delete(task.taskId);
    const region = task.sourceArn.split(':')[3]!;
    this.save(region);
  }

  private tasksOf(region: string): MoveTask[] {
    let tasks = this.tasks.get(region);
    if (!tasks) this.tasks.set(region, (tasks = []));
    return tasks;
  }

  private file(region: string): string {
    return join(this.store.regionDir(region), 'move-tasks.json');
  }

  private save(region: string): void {
    this.savedAt.set(region, Date.now());
    writeFileAtomicSync(this.file(region), JSON.stringify(this.tasks.get(region) ?? []));
  }
}

/** AWS's task handles are base64 JSON naming the task and its source queue. */
function handleOf(task: MoveTask): string {
  return Buffer.from(JSON.stringify({ taskId: task.taskId, sourceArn: task.sourceArn })).toString('base64');
}

function redriven(m: StoredMessage, destination: Queue, now: number): StoredMessage {
  const { handle: _h, receivedAt: _r, firstReceive: _f, dlqSource: _d, seq: _s, ...kept } = m;
  return { ...kept, enqueued: now, visibleAt: now, receiveCount: 0, ...(destination.meta.fifo ? { seq: destination.nextSeq() } : {}) };
}
