/**
 * One resource's create, update (in place or by replacement) and delete, with the events AWS shows
 * for each step. The stack file is for a restart, so only what a restart needs is written as it
 * happens: a resource that got (or changed) its physical id is recorded (written in the background,
 * coalesced), and before a resource is changed in place or replaced, the intent is on disk (awaited),
 * so that a restart knows what to roll back. The other steps (a create starting or failing, every
 * step of a delete) wait for the operation's next save: a resource without a physical id has nothing
 * to undo, and deleting again after a restart is harmless. Each write is the whole stack file (its
 * template, resources and events: 100-160 KB for the tap stack), so this halves a create's writes
 * and leaves a delete two.
 */
import { randomBytes } from 'node:crypto';
import type { ResourceState, StackRecord } from '../model.js';
import type { ProviderContext, ResourceProvider } from '../providers/types.js';
import { changedKeys, needsReplacement, sameValue } from './compare.js';
import { reasonOf, resourceEvent } from './events.js';
import type { EngineEnv, Plan } from './plan.js';

export class DeployError extends Error {}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function physicalName(stackName: string, logicalId: string, options: { maxLength?: number; lowercase?: boolean } = {}): string {
  const bytes = randomBytes(13);
  const suffix = Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join('');
  const room = (options.maxLength ?? 255) - suffix.length - 2;
  let stackPart = stackName;
  let logicalPart = logicalId;
  if (stackPart.length + logicalPart.length > room) {
    stackPart = stackName.slice(0, Math.max(1, Math.floor(room / 2)));
    logicalPart = logicalId.slice(0, Math.max(1, room - stackPart.length));
  }
  const name = `${stackPart}-${logicalPart}-${suffix}`;
  return options.lowercase ? name.toLowerCase() : name;
}

export class Resources {
  constructor(
    private readonly env: EngineEnv,
    private readonly stack: StackRecord,
  ) {}

  private save(): Promise<void> {
    return this.env.store.save(this.stack);
  }

  /** A step a restart needs: written in the background (see the header). */
  private record(): void {
    this.env.store.record(this.stack);
  }

  /** A step the operation's next save covers; throws if the store is closed, so the operation stops. */
  private step(): void {
    this.env.store.assertOpen();
  }

  context(logicalId: string, type: string): ProviderContext {
    const { stack } = this;
    return {
      local: this.env.local,
      region: stack.region,
      accountId: this.env.local.accountId,
      stackName: stack.StackName,
      stackId: stack.StackId,
      logicalId,
      resourceType: type,
      physicalName: (options) => physicalName(stack.StackName, logicalId, options),
    };
  }

  provider(type: string): ResourceProvider {
    const provider = this.env.provider(type);
    if (!provider) {
      throw new DeployError(`Resource type ${type} is not supported by tap local. See src/local/services/cloudformation/providers for the types it provisions.`);
    }
    return provider;
  }

  /** Resolves the resource's properties against the stack as it is now. */
  properties(plan: Plan, id: string): Record<string, unknown> {
    return (plan.evaluator.resolve(plan.template.Resources[id]!.Properties ?? {}) ?? {}) as Record<string, unknown>;
  }

  private newState(plan: Plan, id: string, properties: Record<string, unknown>): ResourceState {
    const decl = plan.template.Resources[id]!;
    return {
      logicalId: id,
      type: decl.Type,
      status: 'CREATE_IN_PROGRESS',
      properties,
      attributes: {},
      dependsOn: plan.deps.get(id) ?? [],
      ...(decl.DeletionPolicy ? { deletionPolicy: decl.DeletionPolicy } : {}),
      ...(decl.UpdateReplacePolicy ? { updateReplacePolicy: decl.UpdateReplacePolicy } : {}),
      ...(decl.Metadata ? { metadata: decl.Metadata } : {}),
      lastUpdated: new Date().toISOString(),
    };
  }

  /** CREATE_IN_PROGRESS → CREATE_COMPLETE (or CREATE_FAILED with the reason, then throws). */
  async create(plan: Plan, id: string): Promise<void> {
    const decl = plan.template.Resources[id]!;
    const state = this.newState(plan, id, {});
    this.stack.resources[id] = state;
    resourceEvent(this.stack, state, 'CREATE_IN_PROGRESS');
    this.step();
    try {
      const provider = this.provider(decl.Type);
      state.properties = this.properties(plan, id);
      const made = await provider.create(state.properties, this.context(id, decl.Type));
      state.physicalId = made.physicalId;
      state.attributes = made.attributes ?? {};
      if (made.ref !== undefined) state.ref = made.ref;
    } catch (error) {
      resourceEvent(this.stack, state, 'CREATE_FAILED', reasonOf(error));
      this.step();
      throw error;
    }
    resourceEvent(this.stack, state, 'CREATE_COMPLETE');
    this.record();
  }

  /**
   * Brings an existing resource to its new declaration: nothing if unchanged, an in-place update, or
   * a replacement (the old physical resource is returned for the cleanup phase).
   */
  async update(plan: Plan, id: string, touched: (action: 'update' | 'replace') => void): Promise<ResourceState | undefined> {
    const decl = plan.template.Resources[id]!;
    const current = this.stack.resources[id]!;
    const props = this.properties(plan, id);
    const changed = changedKeys(props, current.properties);
    const metadataChanged = !sameValue(decl.Metadata ?? null, current.metadata ?? null);
    current.dependsOn = plan.deps.get(id) ?? [];
    current.deletionPolicy = decl.DeletionPolicy;
    current.updateReplacePolicy = decl.UpdateReplacePolicy;
    if (current.type === decl.Type && changed.length === 0) {
      if (metadataChanged) {
        resourceEvent(this.stack, current, 'UPDATE_IN_PROGRESS');
        current.metadata = decl.Metadata;
        resourceEvent(this.stack, current, 'UPDATE_COMPLETE');
        this.record();
      }
      return undefined;
    }
    const provider = this.provider(decl.Type);
    const replace = current.type !== decl.Type || needsReplacement(provider, changed, props, current.properties);
    if (!replace) {
      touched('update');
      const before: ResourceState = { ...current };
      let replaced: ResourceState | undefined;
      resourceEvent(this.stack, current, 'UPDATE_IN_PROGRESS');
      await this.save();
      try {
        const result = await provider.update!(current.physicalId!, props, { properties: current.properties, attributes: current.attributes }, this.context(id, decl.Type));
        current.properties = props;
        current.metadata = decl.Metadata;
        if (result) {
          current.attributes = result.attributes ?? current.attributes;
          if (result.ref !== undefined) current.ref = result.ref;
          // A custom resource answering with a new physical id has been replaced: the old one goes in cleanup.
          if (result.physicalId !== before.physicalId) {
            current.physicalId = result.physicalId;
            replaced = before;
          }
        }
      } catch (error) {
        resourceEvent(this.stack, current, 'UPDATE_FAILED', reasonOf(error));
        await this.save();
        throw error;
      }
      resourceEvent(this.stack, current, 'UPDATE_COMPLETE');
      this.record();
      return replaced;
    }
    return this.replace(plan, id, provider, props, touched);
  }

  private async replace(plan: Plan, id: string, provider: ResourceProvider, props: Record<string, unknown>, touched: (a: 'replace') => void): Promise<ResourceState> {
    const old = this.stack.resources[id]!;
    const nameKey = provider.nameProperty;
    if (nameKey && props[nameKey] !== undefined && sameValue(props[nameKey], old.properties[nameKey])) {
      resourceEvent(this.stack, old, 'UPDATE_FAILED', `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(props[nameKey])} and update the stack again.`);
      await this.save();
      throw new DeployError(old.statusReason);
    }
    touched('replace');
    const next = this.newState(plan, id, props);
    this.stack.resources[id] = next;
    resourceEvent(this.stack, next, 'UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.');
    await this.save();
    try {
      const made = await provider.create(props, this.context(id, next.type));
      next.physicalId = made.physicalId;
      next.attributes = made.attributes ?? {};
      if (made.ref !== undefined) next.ref = made.ref;
    } catch (error) {
      resourceEvent(this.stack, next, 'UPDATE_FAILED', reasonOf(error));
      await this.save();
      throw error;
    }
    resourceEvent(this.stack, next, 'UPDATE_IN_PROGRESS', 'Resource creation Initiated');
    resourceEvent(this.stack, next, 'UPDATE_COMPLETE');
    this.record();
    return old;
  }

  /** Deletes (or retains) one physical resource. `retain`: DeletionPolicy/UpdateReplacePolicy says so. */
  async delete(state: ResourceState, retain: boolean): Promise<void> {
    if (state.status === 'DELETE_COMPLETE' || state.status === 'DELETE_SKIPPED') return;
    if (retain) {
      resourceEvent(this.stack, state, 'DELETE_SKIPPED');
      this.step();
      return;
    }
    resourceEvent(this.stack, state, 'DELETE_IN_PROGRESS');
    this.step();
    try {
      // A resource that never got a physical id (its create failed early) has nothing to delete.
      if (state.physicalId) {
        const provider = this.env.provider(state.type);
        await provider?.delete(state.physicalId, state.properties, this.context(state.logicalId, state.type));
      }
    } catch (error) {
      resourceEvent(this.stack, state, 'DELETE_FAILED', reasonOf(error));
      this.step();
      throw error;
    }
    resourceEvent(this.stack, state, 'DELETE_COMPLETE');
    this.step();
  }

  /** Puts a resource back to a previous state (update rollback): in-place update to the old properties. */
  async restore(current: ResourceState, previous: ResourceState): Promise<void> {
    const provider = this.env.provider(previous.type);
    resourceEvent(this.stack, current, 'UPDATE_IN_PROGRESS');
    await this.save();
    try {
      if (current.physicalId === previous.physicalId && provider?.update && !sameValue(current.properties, previous.properties)) {
        await provider.update(previous.physicalId!, previous.properties, { properties: current.properties, attributes: current.attributes }, this.context(previous.logicalId, previous.type));
      }
    } catch (error) {
      resourceEvent(this.stack, current, 'UPDATE_FAILED', reasonOf(error));
      await this.save();
      throw error;
    }
    const restored: ResourceState = { ...previous };
    this.stack.resources[previous.logicalId] = restored;
    resourceEvent(this.stack, restored, 'UPDATE_COMPLETE');
    this.record();
  }
}
