/**
 * Stacks, persisted one JSON file per stack under `<data-dir>/cloudformation/stacks/`, held in memory.
 * The engine saves after every status change; saves of one stack are serialized and coalesced, so the
 * file is always a state the stack really passed through (never an older one overtaking a newer one).
 *
 * A final status (CREATE_COMPLETE, DELETE_FAILED…) is published only once it is on disk: `published()`
 * holds a request back while some stack shows a final status its file does not have yet, so no answer
 * shows a final state that a kill -9 could take back. In-progress states are shown at once.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../../errors.js';
import { fsName } from '../../names.js';
import { readJsonIfExists, removeIfExists, replaceFileUnsynced, writeJsonAtomic } from '../../storage.js';
import { outsideSyncBatch } from '../../sync-batch.js';
import { isSettled } from './engine/events.js';
import type { StackRecord } from './model.js';

/** Thrown into an operation still running when the service stops: it ends there, its last state on disk. */
export class StoreClosed extends Error {
  constructor() {
    super('tap local is stopping');
  }
}

export class StackStore {
  private closed = false;
  private readonly stacks = new Map<string, StackRecord>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Stacks with a save someone waits on pending: their next write syncs its folder too. */
  private readonly awaited = new Set<string>();
  /** Per stack, the last state written: its status and its newest event. */
  private readonly onDisk = new Map<string, string>();

  constructor(private readonly dir: string) {}

  async load(): Promise<StackRecord[]> {
    this.closed = false;
    this.stacks.clear();
    let files: string[] = [];
    try {
      files = (await readdir(join(this.dir, 'stacks'))).filter((f) => f.endsWith('.json'));
    } catch {
      // no stacks yet
    }
    for (const f of files) {
      const stack = await readJsonIfExists<StackRecord>(join(this.dir, 'stacks', f), { lost: `a CloudFormation stack (file ${f}); its resources stay, unmanaged` });
      if (stack) {
        this.stacks.set(stack.StackId, stack);
        this.onDisk.set(stack.StackId, marker(stack));
      }
    }
    return [...this.stacks.values()];
  }

  all(region: string): StackRecord[] {
    return [...this.stacks.values()].filter((s) => s.region === region);
  }

  add(stack: StackRecord): Promise<void> {
    this.stacks.set(stack.StackId, stack);
    return this.save(stack);
  }

  /** The live stack named `nameOrId` (by name: not deleted; by id: deleted ones too, as AWS). */
  find(region: string, nameOrId: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) {
      const stack = this.stacks.get(nameOrId);
      return stack?.region === region ? stack : undefined;
    }
    return this.all(region).find((s) => s.StackName === nameOrId && s.StackStatus !== 'DELETE_COMPLETE');
  }

  get(region: string, nameOrId: string): StackRecord {
    const stack = this.find(region, nameOrId);
    if (!stack) throw new AwsError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  /**
   * Writes the stack's current state; resolves once that state (or a later one) is on disk.
   * `background` (record()): an in-progress state nobody waits for is written with its data synced
   * but not its folder (one fsync, not two): a power failure leaves this state or an earlier one the
   * stack passed through, and the next awaited save makes it durable. A final status is always
   * written in full, whoever asked: it is published as soon as it is written.
   */
  save(stack: StackRecord, background = false): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosed());
    const id = stack.StackId;
    this.dirty.add(id);
    if (!background) this.awaited.add(id);
    const previous = this.writing.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!this.dirty.delete(id)) return;
      const written = marker(stack);
      const full = this.awaited.delete(id) || isSettled(stack.StackStatus) || !this.onDisk.has(id);
      // Outside the engine's group commit (sync-batch.ts): the stack file is what acknowledges.
      await outsideSyncBatch(() => (full ? writeJsonAtomic(this.path(id), stack) : replaceFileUnsynced(this.path(id), JSON.stringify(stack))));
      this.onDisk.set(id, written);
    });
    this.writing.set(id, next);
    void next.finally(() => {
      if (this.writing.get(id) === next) this.writing.delete(id);
    });
    return next;
  }

  /**
   * A step inside an operation that nothing waits on (a resource created or deleted): written in the
   * background, coalesced with the steps around it; the operation's next awaited save (its final
   * status at the latest) covers it. Throws at once if the store is closed, so the operation stops.
   */
  record(stack: StackRecord): void {
    this.assertOpen();
    this.save(stack, true).catch(() => {
      // a failed write fails the operation's next awaited save, which chains on this one
    });
  }

  /** Throws into an operation once the service stops (see StoreClosed). */
  assertOpen(): void {
    if (this.closed) throw new StoreClosed();
  }

  /** Resolves once every final status a stack shows is on disk (see the header). */
  async published(): Promise<void> {
    for (;;) {
      const unwritten = [...this.stacks.values()].filter((s) => isSettled(s.StackStatus) && this.onDisk.get(s.StackId) !== marker(s));
      if (unwritten.length === 0 || this.closed) return;
      await Promise.all(unwritten.map((s) => this.writing.get(s.StackId) ?? this.save(s)));
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.writing.values()]);
  }

  /**
   * No more writes: operations still running stop at their next step (start() resumes them). What
   * they did since their last write (steps nothing waited for, see resources.ts) is written first,
   * so a restart names the resource that was in progress; a kill -9 loses at most those steps.
   */
  async close(): Promise<void> {
    for (const stack of this.stacks.values()) {
      if (this.onDisk.get(stack.StackId) !== marker(stack)) this.save(stack).catch(() => undefined); // flush() reports it
    }
    this.closed = true;
    await this.flush();
  }

  async reset(): Promise<void> {
    await this.flush();
    this.stacks.clear();
    this.onDisk.clear();
    await removeIfExists(this.dir);
  }

  private path(stackId: string): string {
    return join(this.dir, 'stacks', `${fsName(stackId)}.json`);
  }
}

/** Identifies a stack's state: a new event (the final one included) changes it. */
function marker(stack: StackRecord): string {
  return `${stack.StackStatus} ${stack.events.at(-1)?.EventId ?? ''}`;
}
