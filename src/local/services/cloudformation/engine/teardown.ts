/** Deleting a set of physical resources in a safe order (stack delete, rollbacks, cleanups). */
import type { ResourceState, StackRecord } from '../model.js';
import { runInOrder } from './graph.js';
import type { EngineEnv } from './plan.js';
import { Resources } from './resources.js';

/**
 * Deletes resources dependents-first, independent ones concurrently; a failed one keeps what it
 * depends on. `retain` says which are kept (policies, RetainResources). Returns the failed ids.
 */
export async function deleteAll(env: EngineEnv, stack: StackRecord, states: ResourceState[], retain: (r: ResourceState) => boolean): Promise<string[]> {
  const res = new Resources(env, stack);
  const byKey = new Map(states.map((s, i) => [`${s.logicalId}#${i}`, s]));
  const deps = new Map<string, string[]>();
  for (const [key, s] of byKey) {
    deps.set(key, [...byKey].filter(([, d]) => s.dependsOn.includes(d.logicalId)).map(([k]) => k));
  }
  const { failed } = await runInOrder(
    deps,
    (key) => res.delete(byKey.get(key)!, retain(byKey.get(key)!)),
    { reverse: true, continueOnError: true },
  );
  return [...new Set([...failed.keys()].map((k) => byKey.get(k)!.logicalId))].sort();
}
