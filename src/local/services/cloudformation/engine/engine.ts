/**
 * Stack operations, run in the background as on AWS (callers poll DescribeStacks / the waiters):
 * create (rolling back on failure), update (in place or by replacement, then cleanup; rolling back to
 * the previous template on failure), delete (reverse dependency order, Retain honoured).
 *
 * A restart of tap local mid-operation: the operation is finished the way AWS would finish a failed
 * one, never left IN_PROGRESS — see `resume`.
 */
import type { Desired, ResourceState, StackRecord } from '../model.js';
import { finish, isSettled, reasonOf, resourceEvent, stackEvent } from './events.js';
import { runInOrder } from './graph.js';
import { type EngineEnv, checkExports, evaluateOutputs, importerOf, makePlan } from './plan.js';
import { Resources } from './resources.js';
import { deleteAll } from './teardown.js';
import { StoreClosed } from '../store.js';
import { checkRules } from './rules.js';
import { createSyncBatch } from '../../../storage.js';
import { type SyncBatch, inSyncBatch } from '../../../sync-batch.js';

const INTERRUPTED = 'tap local stopped while this operation was in progress.';

export class Engine {
  private readonly running = new Map<string, Promise<void>>();
  /** Per running operation, the group commit of its resources' writes (see sync-batch.ts). */
  private readonly batches = new Map<string, SyncBatch>();

  constructor(private readonly env: EngineEnv) {}

  /** Whether an operation runs on the stack: its status says so, and nothing else (see `finish`). */
  isBusy(stack: StackRecord): boolean {
    return !isSettled(stack.StackStatus);
  }

  create(stack: StackRecord): void {
    this.run(stack, () => this.runCreate(stack));
  }

  update(stack: StackRecord, desired: Desired, token?: string): void {
    this.run(stack, () => this.runUpdate(stack, desired, token));
  }

  delete(stack: StackRecord, retain: string[] = [], token?: string): void {
    this.run(stack, () => this.runDelete(stack, retain, token));
  }

  /** Waits for every running operation (tests and stop()). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * After a restart: a create or update that was running failed with the restart as its reason and
   * rolls back (a create with rollback disabled ends CREATE_FAILED); rollbacks, cleanups and deletes
   * were already heading somewhere safe and are run again (deleting is idempotent).
   */
  resume(stack: StackRecord): void {
    const op = stack.operation;
    switch (stack.StackStatus) {
      case 'CREATE_IN_PROGRESS':
        return this.run(stack, async () => {
          await this.failInProgress(stack, 'CREATE_FAILED');
          await this.afterCreateFailure(stack, `${INTERRUPTED} `);
        });
      case 'ROLLBACK_IN_PROGRESS':
        return this.run(stack, () => this.rollbackCreate(stack, stack.StackStatusReason ?? INTERRUPTED));
      case 'UPDATE_IN_PROGRESS':
        return this.run(stack, async () => {
          await this.failInProgress(stack, 'UPDATE_FAILED');
          await this.rollbackUpdate(stack, INTERRUPTED);
        });
      case 'UPDATE_ROLLBACK_IN_PROGRESS':
        return this.run(stack, () => this.rollbackUpdate(stack, stack.StackStatusReason ?? INTERRUPTED));
      case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
      case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
        return this.run(stack, () => this.cleanup(stack, stack.StackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' ? 'UPDATE_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE'));
      case 'DELETE_IN_PROGRESS':
        return this.run(stack, () => this.runDelete(stack, op?.retain ?? [], op?.clientRequestToken, true));
      default:
        break;
    }
  }

  /**
   * Runs an operation with its resources' writes in one group commit (src/local/sync-batch.ts): the
   * providers write without waiting for fsyncs, and `end` commits them all before the final status
   * that acknowledges them. Once committed the batch is closed: whatever the operation still does
   * (a delete that DeleteStack queued during the create) syncs its writes one by one.
   */
  private run(stack: StackRecord, work: () => Promise<void>): void {
    const batch = createSyncBatch();
    this.batches.set(stack.StackId, batch);
    const done = inSyncBatch(batch, work)
      .catch((error) => {
        if (!(error instanceof StoreClosed)) console.error(`[tap local] cloudformation: ${stack.StackName}:`, error);
      })
      .finally(() => {
        // The next operation may have started already (the final status accepts it at once).
        if (this.running.get(stack.StackId) === done) this.running.delete(stack.StackId);
        if (this.batches.get(stack.StackId) === batch) this.batches.delete(stack.StackId);
        // An operation stopped half-way (tap local stopping) still makes what it wrote durable.
        return batch.commit();
      });
    this.running.set(stack.StackId, done);
  }

  private save(stack: StackRecord): Promise<void> {
    return this.env.store.save(stack);
  }

  /**
   * Ends the operation (events.ts `finish`) once everything it wrote is on disk: the group commit
   * comes first, as the stack's coalesced background saves may write the final status any moment
   * after `finish` has set it.
   */
  private async end(stack: StackRecord, status: string, reason?: string): Promise<void> {
    await this.batches.get(stack.StackId)?.commit();
    finish(stack, status, reason);
    await this.save(stack);
  }

  private async failInProgress(stack: StackRecord, status: 'CREATE_FAILED' | 'UPDATE_FAILED'): Promise<void> {
    for (const r of Object.values(stack.resources)) {
      if (r.status.endsWith('_IN_PROGRESS')) resourceEvent(stack, r, status, INTERRUPTED);
    }
    await this.save(stack);
  }

  private async runCreate(stack: StackRecord): Promise<void> {
    stack.operation = { kind: 'CREATE', touched: [], cleanup: [], ...(stack.operation?.changeSetId ? { changeSetId: stack.operation.changeSetId } : {}) };
    stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    await this.save(stack);
    const res = new Resources(this.env, stack);
    let failure: string;
    try {
      const plan = makePlan(this.env, stack, stack.desired);
      for (const skipped of checkRules(plan.template, plan.evaluator)) stackEvent(stack, 'CREATE_IN_PROGRESS', skipped);
      const { failed } = await runInOrder(plan.deps, (id) => res.create(plan, id));
      if (failed.size === 0) {
        const outputs = evaluateOutputs(plan);
        checkExports(this.env, stack, outputs);
        stack.outputs = outputs;
        stack.imports = [...plan.imports];
        return this.endCreate(stack, 'CREATE_COMPLETE');
      }
      failure = `The following resource(s) failed to create: [${[...failed.keys()].sort().join(', ')}]. `;
    } catch (error) {
      failure = `${reasonOf(error)} `;
    }
    await this.afterCreateFailure(stack, failure);
  }

  private async afterCreateFailure(stack: StackRecord, failure: string): Promise<void> {
    if (stack.DisableRollback) return this.endCreate(stack, 'CREATE_FAILED', failure.trim());
    await this.rollbackCreate(stack, `${failure}Rollback requested by user.`);
  }

  private async rollbackCreate(stack: StackRecord, reason: string): Promise<void> {
    stackEvent(stack, 'ROLLBACK_IN_PROGRESS', reason);
    await this.save(stack);
    const failed = await deleteAll(this.env, stack, Object.values(stack.resources), (r) => r.deletionPolicy === 'Retain');
    if (failed.length) return this.endCreate(stack, 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
    return this.endCreate(stack, 'ROLLBACK_COMPLETE');
  }

  /**
   * The end of a create: its final status, or, when a delete is due (DeleteStack during the create,
   * OnFailure=DELETE after a rollback), the delete, started in the same synchronous step so that the
   * create's end is never a resting state another call could act on.
   */
  private async endCreate(stack: StackRecord, status: string, reason?: string): Promise<void> {
    // The commit first: a DeleteStack arriving while it runs is still seen below.
    await this.batches.get(stack.StackId)?.commit();
    const requested = stack.operation?.deleteRequested;
    if (requested || (stack.deleteOnFailure && status === 'ROLLBACK_COMPLETE')) {
      stackEvent(stack, status, reason);
      return this.runDelete(stack, [], requested?.clientRequestToken);
    }
    finish(stack, status, reason);
    await this.save(stack);
  }

  private async runUpdate(stack: StackRecord, desired: Desired, token?: string): Promise<void> {
    stack.operation = {
      kind: 'UPDATE',
      previous: { desired: stack.desired, resources: structuredClone(stack.resources), outputs: stack.outputs },
      touched: [],
      cleanup: [],
      ...(token ? { clientRequestToken: token } : {}),
    };
    stack.desired = desired;
    stack.LastUpdatedTime = new Date().toISOString();
    stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated', token);
    await this.save(stack);
    const op = stack.operation;
    const res = new Resources(this.env, stack);
    let failure: string;
    try {
      const plan = makePlan(this.env, stack, desired);
      for (const skipped of checkRules(plan.template, plan.evaluator)) stackEvent(stack, 'UPDATE_IN_PROGRESS', skipped);
      const { failed } = await runInOrder(plan.deps, async (id) => {
        const existing = stack.resources[id];
        if (!existing || existing.status === 'DELETE_COMPLETE') {
          op.touched.push({ logicalId: id, action: 'create' });
          return res.create(plan, id);
        }
        const replaced = await res.update(plan, id, (action) => op.touched.push({ logicalId: id, action }));
        if (replaced) op.cleanup.push(replaced);
      });
      if (failed.size === 0) {
        const outputs = evaluateOutputs(plan);
        checkExports(this.env, stack, outputs);
        stack.outputs = outputs;
        stack.imports = [...plan.imports];
        // Resources no longer in the template (or whose Condition turned false) go in the cleanup.
        for (const [id, r] of Object.entries(stack.resources)) {
          if (!plan.active.has(id)) {
            op.cleanup.push(r);
            delete stack.resources[id];
          }
        }
        stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
        await this.save(stack);
        return this.cleanup(stack, 'UPDATE_COMPLETE');
      }
      failure = `The following resource(s) failed to update: [${[...failed.keys()].sort().join(', ')}]. `;
    } catch (error) {
      failure = `${reasonOf(error)} `;
    }
    await this.rollbackUpdate(stack, failure.trim());
  }

  /** Undoes an update: modified resources get their old properties back, then the new ones go. */
  private async rollbackUpdate(stack: StackRecord, reason: string): Promise<void> {
    const op = stack.operation!;
    const previous = op.previous!;
    if (stack.StackStatus !== 'UPDATE_ROLLBACK_IN_PROGRESS') {
      stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
      await this.save(stack);
    }
    const res = new Resources(this.env, stack);
    const failed: string[] = [];
    const discard: ResourceState[] = [];
    for (const { logicalId, action } of [...op.touched].reverse()) {
      const current = stack.resources[logicalId];
      const old = previous.resources[logicalId];
      if (action === 'create' || !old) {
        if (current) discard.push(current);
        delete stack.resources[logicalId];
        continue;
      }
      if (!current) continue;
      if (current.physicalId !== old.physicalId) discard.push(current);
      try {
        await res.restore(current, old);
      } catch {
        failed.push(logicalId);
      }
    }
    // Resources the update removed were never deleted (that happens in cleanup): they are still there.
    for (const [id, r] of Object.entries(previous.resources)) stack.resources[id] ??= r;
    stack.desired = previous.desired;
    stack.outputs = previous.outputs;
    op.touched = [];
    op.cleanup = discard.filter((d) => d.physicalId);
    if (failed.length) {
      await this.end(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${failed.join(', ')}]. `);
      return;
    }
    stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.save(stack);
    await this.cleanup(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  /** Deletes the physical resources left behind (replaced, removed, or created by a rolled-back update). */
  private async cleanup(stack: StackRecord, final: 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE'): Promise<void> {
    const op = stack.operation;
    // After an update: a replaced resource (its logical id lives on) follows UpdateReplacePolicy, a
    // removed one DeletionPolicy. After a rollback, what the update created goes unless it is Retain
    // (RetainExceptOnCreate exists to delete exactly those).
    const retain = (r: ResourceState) => {
      if (final === 'UPDATE_ROLLBACK_COMPLETE') return r.deletionPolicy === 'Retain';
      const policy = stack.resources[r.logicalId] ? r.updateReplacePolicy : r.deletionPolicy;
      return policy === 'Retain' || policy === 'RetainExceptOnCreate';
    };
    // Failures in cleanup do not fail the update on AWS either: the event records them.
    await deleteAll(this.env, stack, op?.cleanup ?? [], retain);
    await this.end(stack, final);
  }

  private async runDelete(stack: StackRecord, retain: string[], token?: string, resumed = false): Promise<void> {
    stack.operation = { kind: 'DELETE', touched: [], cleanup: [], retain, ...(token ? { clientRequestToken: token } : {}) };
    if (!resumed) stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated', token);
    await this.save(stack);
    const inUse = stack.outputs.find((o) => o.ExportName && importerOf(this.env, stack, o.ExportName));
    if (inUse) {
      await this.end(stack, 'DELETE_FAILED', `Export ${inUse.ExportName} cannot be deleted as it is in use by ${importerOf(this.env, stack, inUse.ExportName!)!.StackName}`);
      return;
    }
    const failed = await deleteAll(this.env, stack, Object.values(stack.resources), (r) =>
      retain.includes(r.logicalId) || r.deletionPolicy === 'Retain' || r.deletionPolicy === 'RetainExceptOnCreate');
    if (failed.length) await this.end(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
    else await this.end(stack, 'DELETE_COMPLETE');
  }
}
