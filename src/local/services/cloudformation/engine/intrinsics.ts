/**
 * The intrinsic functions, condition functions and pseudo parameters: template values → plain values.
 * Resource references go through the context, so the same evaluator serves deploys (real values),
 * change sets (Unknown for what is not known before execution) and validation.
 */
import type { Template } from '../model.js';
import { validationError } from './template.js';

/** `Ref: AWS::NoValue`: the property (or list item) disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A value only known once the change set runs (a resource not yet created or being replaced). */
export class Unknown {
  constructor(readonly source: string) {}
  toString(): string {
    return '{{changeSet:KNOWN_AFTER_APPLY}}';
  }
}

export interface Pseudo {
  accountId: string;
  region: string;
  stackName: string;
  stackId: string;
  notificationARNs: string[];
}

export interface EvalContext {
  readonly template: Template;
  readonly parameters: Record<string, string>;
  readonly pseudo: Pseudo;
  /** The Ref value of a resource (its physical id or what its type returns). */
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  importValue(name: string): unknown;
}

const PARTITION = 'aws';
const URL_SUFFIX = 'amazonaws.com';

export function pseudoValue(name: string, p: Pseudo): unknown {
  switch (name) {
    case 'AWS::AccountId': return p.accountId;
    case 'AWS::Region': return p.region;
    case 'AWS::Partition': return PARTITION;
    case 'AWS::URLSuffix': return URL_SUFFIX;
    case 'AWS::StackName': return p.stackName;
    case 'AWS::StackId': return p.stackId;
    case 'AWS::NotificationARNs': return p.notificationARNs;
    case 'AWS::NoValue': return NO_VALUE;
    default: return undefined;
  }
}

export class Evaluator {
  private readonly conditionCache = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly ctx: EvalContext) {}

  /** The condition's value (memoized); a condition referring to itself is a template error. */
  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const declared = this.ctx.template.Conditions?.[name];
    if (declared === undefined) throw validationError(`Template format error: Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
    if (this.evaluating.has(name)) throw validationError(`Template error: circular condition dependency on [${name}]`);
    this.evaluating.add(name);
    const value = this.resolve(declared);
    this.evaluating.delete(name);
    if (typeof value !== 'boolean') throw validationError(`Template error: condition ${name} does not evaluate to a boolean`);
    this.conditionCache.set(name, value);
    return value;
  }

  /** Resolves every intrinsic in `value`; NO_VALUE entries are dropped from objects and arrays. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object' || value instanceof Unknown) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') {
        if (key === 'Condition' && typeof arg !== 'string') return this.plainObject(entries);
        return this.call(key, arg);
      }
    }
    return this.plainObject(entries);
  }

  private plainObject(entries: Array<[string, unknown]>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private call(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref': return this.ref(this.str(this.resolve(arg), fn));
      case 'Condition': return this.condition(arg as string);
      case 'Fn::GetAtt': return this.getAtt(arg);
      case 'Fn::Join': {
        const [delimiter, list] = this.args(fn, arg, 2);
        const items = this.list(this.resolve(list), fn);
        if (items.some((i) => i instanceof Unknown)) return new Unknown('Fn::Join');
        return items.map((i) => this.str(i, fn)).join(this.str(delimiter, fn));
      }
      case 'Fn::Sub': return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = this.args(fn, arg, 2);
        const items = this.resolve(list);
        if (items instanceof Unknown) return items;
        const i = Number(this.resolve(index));
        const array = this.list(items, fn);
        if (!Number.isInteger(i) || i < 0 || i >= array.length) throw validationError(`Template error: Fn::Select cannot select nonexistent value at index ${String(index)}`);
        return array[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.args(fn, arg, 2);
        const s = this.resolve(source);
        if (s instanceof Unknown) return s;
        return this.str(s, fn).split(this.str(delimiter, fn));
      }
      case 'Fn::If': {
        const [cond, a, b] = this.args(fn, arg, 3);
        return this.resolve(this.condition(this.str(cond, fn)) ? a : b);
      }
      case 'Fn::Equals': {
        const [a, b] = this.args(fn, arg, 2).map((x) => this.resolve(x));
        return String(a) === String(b);
      }
      case 'Fn::Not': return !this.bool(this.args(fn, arg, 1)[0], fn);
      case 'Fn::And': return this.conditionList(fn, arg).every((c) => this.bool(c, fn));
      case 'Fn::Or': return this.conditionList(fn, arg).some((c) => this.bool(c, fn));
      case 'Fn::FindInMap': return this.findInMap(arg);
      case 'Fn::Base64': {
        const s = this.resolve(arg);
        return s instanceof Unknown ? s : Buffer.from(this.str(s, fn), 'utf8').toString('base64');
      }
      case 'Fn::GetAZs': {
        const r = this.resolve(arg);
        const region = r === '' || r === undefined || r === null ? this.ctx.pseudo.region : this.str(r, fn);
        return ['a', 'b', 'c'].map((z) => `${region}${z}`);
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(arg);
        return name instanceof Unknown ? name : this.ctx.importValue(this.str(name, fn));
      }
      case 'Fn::ToJsonString': {
        const v = this.resolve(arg);
        return containsUnknown(v) ? new Unknown(fn) : JSON.stringify(v);
      }
      case 'Fn::Length': {
        const v = this.resolve(arg);
        return v instanceof Unknown ? v : this.list(v, fn).length;
      }
      default:
        throw validationError(`Template format error: Unrecognized function ${fn}. tap local supports Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::ToJsonString and Fn::Length.`);
    }
  }

  private ref(name: string): unknown {
    const pseudo = pseudoValue(name, this.ctx.pseudo);
    if (pseudo !== undefined) return pseudo;
    const declared = this.ctx.template.Parameters?.[name];
    if (declared) {
      const value = this.ctx.parameters[name] ?? '';
      const isList = declared.Type.startsWith('List<') || declared.Type === 'CommaDelimitedList';
      return isList ? (value === '' ? [] : value.split(',').map((s) => s.trim())) : value;
    }
    if (name in this.ctx.template.Resources) return this.ctx.ref(name);
    throw validationError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);
  }

  private getAtt(arg: unknown): unknown {
    const parts = typeof arg === 'string' ? splitDotted(arg) : (this.args('Fn::GetAtt', arg, 2) as unknown[]);
    const logicalId = this.str(parts[0], 'Fn::GetAtt');
    const attribute = this.str(this.resolve(parts[1]), 'Fn::GetAtt');
    if (!(logicalId in this.ctx.template.Resources)) {
      throw validationError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
    }
    return this.ctx.getAtt(logicalId, attribute);
  }

  private sub(arg: unknown): unknown {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : this.args('Fn::Sub', arg, 2);
    const variables = this.resolve(vars ?? {}) as Record<string, unknown>;
    let unknown = false;
    const out = this.str(text, 'Fn::Sub').replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
      if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
      const name = expr.trim();
      let value: unknown;
      if (name in variables) value = variables[name];
      else if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = splitDotted(name);
        value = this.getAtt([id, attr]);
      } else value = this.ref(name);
      if (value instanceof Unknown) {
        unknown = true;
        return whole;
      }
      if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
        throw validationError(`Template error: variable ${name} in Fn::Sub expression does not resolve to a string`);
      }
      return String(value);
    });
    return unknown ? new Unknown('Fn::Sub') : out;
  }

  private findInMap(arg: unknown): unknown {
    const [map, top, second] = this.args('Fn::FindInMap', arg, 3).map((x) => this.resolve(x));
    const value = this.ctx.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
    if (value === undefined) {
      throw validationError(`Template error: Unable to get mapping for ${String(map)}::${String(top)}::${String(second)}`);
    }
    return value;
  }

  private conditionList(fn: string, arg: unknown): unknown[] {
    if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) {
      throw validationError(`Template error: ${fn} requires a list of 2 to 10 conditions`);
    }
    return arg;
  }

  private bool(value: unknown, fn: string): boolean {
    const r = this.resolve(value);
    if (typeof r === 'boolean') return r;
    if (r === 'true' || r === 'false') return r === 'true';
    throw validationError(`Template error: every ${fn} member must be a condition`);
  }

  private args(fn: string, arg: unknown, n: number): unknown[] {
    if (!Array.isArray(arg) || arg.length < (fn === 'Fn::Sub' ? 1 : n) || arg.length > n) {
      throw validationError(`Template error: ${fn} requires ${n} arguments, got ${JSON.stringify(arg)}`);
    }
    return arg;
  }

  private list(value: unknown, fn: string): unknown[] {
    if (value instanceof Unknown) return [value];
    if (!Array.isArray(value)) throw validationError(`Template error: ${fn} requires a list, got ${JSON.stringify(value)}`);
    return value;
  }

  private str(value: unknown, fn: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw validationError(`Template error: every ${fn} object requires string parameters, got ${JSON.stringify(value)}`);
  }
}

function splitDotted(s: string): [string, string] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s, ''] : [s.slice(0, dot), s.slice(dot + 1)];
}

export function containsUnknown(value: unknown): boolean {
  if (value instanceof Unknown) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}
