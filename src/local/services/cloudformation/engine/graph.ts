/** Which resources a resource refers to (Ref, Fn::GetAtt, Fn::Sub, DependsOn), and a safe order. */
import type { ResourceDeclaration } from '../model.js';
import { dependsOnList, validationError } from './template.js';

/** Logical ids referenced anywhere in `value` (parameters and pseudo parameters included; filter later). */
export function references(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) references(v, into);
  } else if (value && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string') into.add(arg);
      else if (key === 'Fn::GetAtt') {
        const id = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof id === 'string') into.add(id);
        if (Array.isArray(arg)) references(arg.slice(1), into);
      } else if (key === 'Fn::Sub') {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : ['', {}];
        const local = new Set(Object.keys((vars as object) ?? {}));
        for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.trim().split('.')[0]!;
          if (!local.has(m[1]!.trim())) into.add(name);
        }
        references(vars, into);
      } else references(arg, into);
    }
  }
  return into;
}

/** The resources each resource depends on, among `active` (resources whose Condition holds). */
export function dependencyMap(resources: Record<string, ResourceDeclaration>, active: ReadonlySet<string>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const id of active) {
    const r = resources[id]!;
    const refs = references(r.Properties ?? {});
    for (const d of dependsOnList(r.DependsOn)) refs.add(d);
    const deps = [...refs].filter((d) => d in resources && d !== id);
    // A reference to a resource whose Condition is false fails when it is evaluated (unless it sits
    // in a Fn::If branch not taken), so it is no edge here.
    map.set(id, deps.filter((d) => active.has(d)));
  }
  assertAcyclic(map);
  return map;
}

/** AWS names every resource on a cycle: "Circular dependency between resources: [A, B]". */
export function assertAcyclic(deps: ReadonlyMap<string, readonly string[]>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = stack.slice(stack.indexOf(id));
      throw validationError(`Circular dependency between resources: [${[...cycle].sort().join(', ')}]`);
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of deps.get(id) ?? []) visit(d);
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of [...deps.keys()].sort()) visit(id);
}

/**
 * Runs `work` for every node once all its dependencies are done (or, with `reverse`, once every node
 * depending on it is done), as many at a time as are ready. After the first failure no new work starts;
 * what is running finishes. Resolves with the ids that failed, the ids never started, and the errors.
 */
export async function runInOrder(
  deps: ReadonlyMap<string, readonly string[]>,
  work: (id: string) => Promise<void>,
  options: { reverse?: boolean; continueOnError?: boolean } = {},
): Promise<{ failed: Map<string, unknown>; notStarted: string[] }> {
  const waitsFor = new Map<string, Set<string>>();
  for (const id of deps.keys()) waitsFor.set(id, new Set());
  for (const [id, ds] of deps) {
    for (const d of ds) {
      if (!deps.has(d)) continue;
      if (options.reverse) waitsFor.get(d)!.add(id);
      else waitsFor.get(id)!.add(d);
    }
  }
  const failed = new Map<string, unknown>();
  const started = new Set<string>();
  return new Promise((resolve) => {
    let running = 0;
    const pump = () => {
      for (const [id, waits] of waitsFor) {
        if (started.has(id) || waits.size > 0) continue;
        if (failed.size > 0 && !options.continueOnError) break;
        started.add(id);
        running++;
        work(id)
          .then(() => {
            for (const w of waitsFor.values()) w.delete(id);
          })
          .catch((error: unknown) => {
            // Whatever waited on a failed node never runs: its waits are never cleared.
            failed.set(id, error);
          })
          .finally(() => {
            running--;
            pump();
          });
      }
      if (running === 0) {
        resolve({ failed, notStarted: [...waitsFor.keys()].filter((id) => !started.has(id)) });
      }
    };
    pump();
  });
}
