/**
 * Payload templates (ItemSelector, ItemReader/ResultWriter Parameters, BatchInput): `"key.$"` fields
 * take a path into the input (`$…`) or the context object (`$$…`). Paths are resolved here, fast,
 * since ItemSelector runs once per item; a template with an intrinsic function (`States.Format(…)`)
 * goes through the interpreter's own Pass state, so intrinsics behave exactly as elsewhere.
 */
import type { StateMachine as Machine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import type { Json } from '../definition.js';
import { TaskError } from '../tasks.js';

export type Context = Record<string, Json>;

export function query(path: string, json: Json): unknown {
  return JSONPath({ path, json: json as object, wrap: false });
}

function hasIntrinsic(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(hasIntrinsic);
  if (!template || typeof template !== 'object') return false;
  return Object.entries(template).some(([k, v]) => (k.endsWith('.$') && typeof v === 'string' && !v.startsWith('$')) || hasIntrinsic(v));
}

function resolvePaths(template: Json, input: Json, context: Context): Json {
  if (Array.isArray(template)) return template.map((v) => resolvePaths(v, input, context));
  if (!template || typeof template !== 'object') return template;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      const resolved = value.startsWith('$$') ? query(`$${value.slice(2)}`, context as Json) : query(value, input);
      if (resolved === undefined) throw new TaskError('States.Runtime', `The JSONPath '${value}' specified for the field '${key}' could not be found in the input '${JSON.stringify(input).slice(0, 1000)}'`);
      out[key.slice(0, -2)] = resolved as Json;
    } else {
      out[key] = resolvePaths(value, input, context);
    }
  }
  return out;
}

/** A compiled template: `apply` resolves it against an input and a context object. */
export class Template {
  private machine?: Promise<Machine>;
  private readonly intrinsic: boolean;

  constructor(private readonly template: Json | undefined) {
    this.intrinsic = hasIntrinsic(template);
  }

  get defined(): boolean {
    return this.template !== undefined;
  }

  async apply(input: Json, context: Context): Promise<Json> {
    if (this.template === undefined) return input;
    if (!this.intrinsic) return resolvePaths(this.template, input, context);
    this.machine ??= import('aws-local-stepfunctions').then(({ StateMachine }) => new StateMachine({ StartAt: 'T', States: { T: { Type: 'Pass', Parameters: this.template as never, End: true } } } as never, { validationOptions: { noValidate: true } }));
    const run = (await this.machine).run(input as never, { context: context as never });
    try {
      return (await run.result) as Json;
    } catch (error) {
      const cause = (error as { cause?: { name?: string; message?: string } }).cause;
      throw new TaskError(cause?.name ?? 'States.Runtime', cause?.message ?? (error as Error).message);
    }
  }
}
