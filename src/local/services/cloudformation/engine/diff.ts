/**
 * A change set's changes: what executing it would add, modify (in place or by replacement) and remove,
 * worked out without touching anything. Values that depend on a resource being added or replaced are
 * not known yet: such properties are "Dynamic", and a replacement they might cause is "Conditional".
 */
import type { Change, ChangeDetail, Desired, ResourceDeclaration, StackRecord } from '../model.js';
import { changedKeys, recreationOf, sameValue } from './compare.js';
import { references } from './graph.js';
import { containsUnknown } from './intrinsics.js';
import { type EngineEnv, makePlan } from './plan.js';
import { parseTemplate } from './template.js';

export function computeChanges(env: EngineEnv, stack: StackRecord, desired: Desired): Change[] {
  const unknown = new Set<string>();
  const plan = makePlan(env, stack, desired, unknown);
  const oldTemplate = Object.keys(stack.resources).length ? parseTemplate(stack.desired.templateBody) : undefined;
  const changes: Change[] = [];
  for (const id of topologicalOrder(plan.deps)) {
    const decl = plan.template.Resources[id]!;
    const existing = stack.resources[id];
    if (!existing || existing.status === 'DELETE_COMPLETE') {
      unknown.add(id);
      changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: decl.Type, Scope: [], Details: [] });
      continue;
    }
    const change = modification(env, id, decl, oldTemplate?.Resources[id], existing, plan.evaluator.resolve(decl.Properties ?? {}) as Record<string, unknown>, plan.template.Parameters ?? {});
    if (!change) continue;
    if (change.Replacement !== 'False') unknown.add(id);
    changes.push(change);
  }
  for (const [id, r] of Object.entries(stack.resources)) {
    if (plan.active.has(id) || r.status === 'DELETE_COMPLETE') continue;
    changes.push({ Action: 'Remove', LogicalResourceId: id, ...(r.physicalId ? { PhysicalResourceId: r.physicalId } : {}), ResourceType: r.type, Scope: [], Details: [] });
  }
  return changes;
}

function modification(
  env: EngineEnv,
  id: string,
  decl: ResourceDeclaration,
  oldDecl: ResourceDeclaration | undefined,
  existing: StackRecord['resources'][string],
  props: Record<string, unknown>,
  parameters: Record<string, unknown>,
): Change | undefined {
  const base = { Action: 'Modify' as const, LogicalResourceId: id, ...(existing.physicalId ? { PhysicalResourceId: existing.physicalId } : {}), ResourceType: decl.Type };
  if (existing.type !== decl.Type) {
    return { ...base, Replacement: 'True', Scope: ['Properties'], Details: [] };
  }
  const provider = env.provider(decl.Type);
  const changed = changedKeys(props, existing.properties);
  const metadataChanged = !sameValue(decl.Metadata ?? null, existing.metadata ?? null);
  if (changed.length === 0 && !metadataChanged) return undefined;
  const details: ChangeDetail[] = [];
  let replacement: 'True' | 'False' | 'Conditional' = 'False';
  for (const key of changed) {
    const recreation = recreationOf(provider, key);
    const dynamic = containsUnknown(props[key]);
    const direct = !sameValue(decl.Properties?.[key], oldDecl?.Properties?.[key]);
    const refs = [...references(decl.Properties?.[key])];
    const cause = refs.find((r) => !(r in parameters) && !r.startsWith('AWS::')) ?? refs[0];
    details.push({
      Target: { Attribute: 'Properties', Name: key, RequiresRecreation: recreation },
      Evaluation: dynamic ? 'Dynamic' : 'Static',
      ChangeSource: direct || !cause ? 'DirectModification' : cause in parameters ? 'ParameterReference' : attributeSource(decl.Properties?.[key], cause),
      ...(!direct && cause ? { CausingEntity: cause } : {}),
    });
    if (recreation === 'Always' && !dynamic) replacement = 'True';
    else if (recreation !== 'Never' && replacement === 'False') replacement = 'Conditional';
  }
  const scope = changed.length ? ['Properties'] : [];
  if (changed.includes('Tags')) scope.push('Tags');
  if (metadataChanged) {
    scope.push('Metadata');
    details.push({ Target: { Attribute: 'Metadata', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' });
  }
  return { ...base, Replacement: replacement, Scope: scope, Details: details };
}

function attributeSource(value: unknown, cause: string): 'ResourceReference' | 'ResourceAttribute' {
  return JSON.stringify(value ?? null).includes(`"Fn::GetAtt"`) && !JSON.stringify(value).includes(`{"Ref":"${cause}"}`) ? 'ResourceAttribute' : 'ResourceReference';
}

export function topologicalOrder(deps: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const d of deps.get(id) ?? []) visit(d);
    order.push(id);
  };
  for (const id of deps.keys()) visit(id);
  return order;
}

/** Same template (as parsed), parameters and tags: nothing to do, as AWS judges "no updates". */
export function sameDesired(a: Desired, b: Desired): boolean {
  return (
    sameValue(parseTemplate(a.templateBody), parseTemplate(b.templateBody)) &&
    sameValue(a.parameters, b.parameters) &&
    sameValue(a.tags, b.tags) &&
    sameValue(a.notificationARNs, b.notificationARNs)
  );
}
