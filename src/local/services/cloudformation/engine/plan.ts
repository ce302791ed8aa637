/**
 * A template bound to a stack: its evaluator (Ref / GetAtt read the stack's resources), the resources
 * whose Condition holds, their dependencies, and the outputs. Change sets bind with `unknown`: the
 * resources that will be created or replaced, whose Ref and attributes are not known yet.
 */
import type { LocalContext } from '../../../service.js';
import type { Desired, Output, StackRecord, Template } from '../model.js';
import type { ResourceProvider } from '../providers/types.js';
import type { StackStore } from '../store.js';
import { dependencyMap } from './graph.js';
import { Evaluator, NO_VALUE, Unknown, containsUnknown } from './intrinsics.js';
import { parseTemplate, validationError } from './template.js';

export interface EngineEnv {
  readonly local: LocalContext;
  readonly store: StackStore;
  provider(type: string): ResourceProvider | undefined;
}

export interface Plan {
  readonly template: Template;
  readonly evaluator: Evaluator;
  /** Resources whose Condition holds, in template order. */
  readonly active: Set<string>;
  readonly deps: Map<string, string[]>;
  /** Export names used by Fn::ImportValue while evaluating. */
  readonly imports: Set<string>;
}

export function makePlan(env: EngineEnv, stack: StackRecord, desired: Desired, unknown: ReadonlySet<string> = new Set()): Plan {
  const template = parseTemplate(desired.templateBody);
  const imports = new Set<string>();
  const evaluator = new Evaluator({
    template,
    parameters: { ...desired.parameters, ...desired.resolved },
    pseudo: {
      accountId: env.local.accountId,
      region: stack.region,
      stackName: stack.StackName,
      stackId: stack.StackId,
      notificationARNs: desired.notificationARNs,
    },
    ref(id) {
      if (unknown.has(id)) return new Unknown(id);
      const r = stack.resources[id];
      if (!r?.physicalId || r.status === 'DELETE_COMPLETE') {
        throw validationError(`Template error: resource ${id} is referenced but not available (its Condition may be false)`);
      }
      return r.ref ?? r.physicalId;
    },
    getAtt(id, attribute) {
      const type = template.Resources[id]!.Type;
      checkAttribute(env, id, type, attribute);
      if (unknown.has(id)) return new Unknown(`${id}.${attribute}`);
      const value = stack.resources[id]?.attributes[attribute];
      if (value === undefined) {
        throw validationError(`Template error: attribute ${attribute} of resource ${id} (${type}) has no value`);
      }
      return value;
    },
    importValue(name) {
      imports.add(name);
      const exporter = findExport(env, stack.region, name, stack.StackId);
      if (!exporter) throw validationError(`No export named ${name} found.`);
      return exporter.output.OutputValue;
    },
  });
  const active = new Set(Object.keys(template.Resources).filter((id) => {
    const c = template.Resources[id]!.Condition;
    return c === undefined || evaluator.condition(c);
  }));
  for (const name of Object.keys(template.Conditions ?? {})) evaluator.condition(name);
  const deps = dependencyMap(template.Resources, active);
  return { template, evaluator, active, deps, imports };
}

export function checkAttribute(env: EngineEnv, id: string, type: string, attribute: string): void {
  const known = env.provider(type)?.attributes;
  if (known && !known.includes(attribute)) {
    throw validationError(`Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
  }
}

/** The outputs whose Condition holds, with their values; Unknown values are left out (change sets). */
export function evaluateOutputs(plan: Plan): Output[] {
  const outputs: Output[] = [];
  for (const [key, o] of Object.entries(plan.template.Outputs ?? {})) {
    if (o.Condition !== undefined && !plan.evaluator.condition(o.Condition)) continue;
    const value = plan.evaluator.resolve(o.Value);
    if (value === NO_VALUE || containsUnknown(value)) continue;
    const exportName = o.Export ? plan.evaluator.resolve(o.Export.Name) : undefined;
    outputs.push({
      OutputKey: key,
      OutputValue: Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value),
      ...(o.Description !== undefined ? { Description: String(plan.evaluator.resolve(o.Description)) } : {}),
      ...(exportName !== undefined ? { ExportName: String(exportName) } : {}),
    });
  }
  return outputs;
}

export function findExport(env: EngineEnv, region: string, name: string, exceptStackId?: string): { stack: StackRecord; output: Output } | undefined {
  for (const stack of env.store.all(region)) {
    if (stack.StackId === exceptStackId || stack.StackStatus === 'DELETE_COMPLETE') continue;
    const output = stack.outputs.find((o) => o.ExportName === name);
    if (output) return { stack, output };
  }
  return undefined;
}

/** Exports must be unique in a region; an import in use cannot go away (AWS checks both). */
export function checkExports(env: EngineEnv, stack: StackRecord, outputs: readonly Output[]): void {
  for (const o of outputs) {
    if (!o.ExportName) continue;
    const other = findExport(env, stack.region, o.ExportName, stack.StackId);
    if (other) throw validationError(`Export with name ${o.ExportName} is already exported by stack ${other.stack.StackName}`);
  }
  const kept = new Set(outputs.map((o) => o.ExportName).filter(Boolean));
  for (const removed of stack.outputs) {
    if (!removed.ExportName || kept.has(removed.ExportName)) continue;
    const importer = importerOf(env, stack, removed.ExportName);
    if (importer) throw validationError(`Export ${removed.ExportName} cannot be deleted as it is in use by ${importer.StackName}`);
  }
}

export function importerOf(env: EngineEnv, exporter: StackRecord, exportName: string): StackRecord | undefined {
  return env.store
    .all(exporter.region)
    .find((s) => s.StackId !== exporter.StackId && s.StackStatus !== 'DELETE_COMPLETE' && s.imports.includes(exportName));
}
