/**
 * Template Rules: each rule whose RuleCondition holds must have every Assert hold, else the operation
 * fails with the assertion's description, as on AWS. The rule functions that look up live AWS values
 * (Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll) have no local meaning: such a rule is skipped, and the
 * caller records that in a stack event rather than silently passing it.
 */
import type { Template } from '../model.js';
import type { Evaluator } from './intrinsics.js';
import { validationError } from './template.js';

const LOOKUPS = ['Fn::ValueOf', 'Fn::ValueOfAll', 'Fn::RefAll'];

/** Checks the rules; returns the names of the rules it skipped, with why. */
export function checkRules(template: Template, evaluator: Evaluator): string[] {
  const skipped: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (usesLookup(rule)) {
      skipped.push(`Rule ${name} was not evaluated: it uses ${LOOKUPS.join('/')}, which look up live AWS values tap local does not have.`);
      continue;
    }
    if (rule.RuleCondition !== undefined && !truthy(ruleValue(rule.RuleCondition, evaluator))) continue;
    for (const assertion of rule.Assertions ?? []) {
      if (!truthy(ruleValue(assertion.Assert, evaluator))) {
        throw validationError(assertion.AssertDescription ?? `Template error: Rule ${name} failed`);
      }
    }
  }
  return skipped;
}

function usesLookup(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesLookup);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => LOOKUPS.includes(k) || usesLookup(v));
  }
  return false;
}

/** The rule-only functions on top of the ordinary condition functions. */
function ruleValue(value: unknown, evaluator: Evaluator): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      const args = Array.isArray(arg) ? arg.map((a) => ruleValue(a, evaluator)) : [];
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : [String(v)]);
      switch (fn) {
        case 'Fn::Contains': return list(args[0]).includes(String(args[1]));
        case 'Fn::EachMemberEquals': return list(args[0]).every((m) => m === String(args[1]));
        case 'Fn::EachMemberIn': return list(args[0]).every((m) => list(args[1]).includes(m));
        case 'Fn::Not': return !truthy(args[0]);
        case 'Fn::And': return args.every(truthy);
        case 'Fn::Or': return args.some(truthy);
        case 'Fn::Equals': return String(args[0]) === String(args[1]);
        default: break;
      }
    }
  }
  return evaluator.resolve(value);
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true';
}
