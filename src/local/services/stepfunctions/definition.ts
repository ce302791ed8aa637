/**
 * State machine definitions: parsed, bounded, checked with the interpreter's own validator
 * (asl-validator, through aws-local-stepfunctions) and for what tap local cannot run, so that a
 * definition is refused at CreateStateMachine with AWS's InvalidDefinition rather than failing later.
 */
import { createHash } from 'node:crypto';
import './polyfill.js';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { AwsError } from '../../errors.js';
import { checkMap, isDistributed } from './map-run/fields.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type States = Record<string, Record<string, any>>;

/** AWS's limit for an execution's input and output, and for data passed between states. */
export const MAX_PAYLOAD = 262_144;

/** Definition size limit (Step Functions quotas: 1,048,576 characters). */
const MAX_DEFINITION = 1_048_576;
/** tap local's own guard against hostile nesting (the interpreter recurses over documents). */
export const MAX_DEPTH = 512;

const invalid = (why: string) => new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${why}'`);

export async function parseDefinition(text: unknown): Promise<StateMachineDefinition> {
  if (typeof text !== 'string' || text.length === 0) throw invalid('SCHEMA_VALIDATION_FAILED: the definition is empty');
  if (text.length > MAX_DEFINITION) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DEFINITION}`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw invalid(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  if (depth(definition) > MAX_DEPTH) throw invalid(`SCHEMA_VALIDATION_FAILED: nested deeper than ${MAX_DEPTH} levels`);
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) throw invalid('SCHEMA_VALIDATION_FAILED: the definition must be a JSON object');
  unsupported(definition as Record<string, any>);
  const problem = await validated(text, definition as StateMachineDefinition);
  if (problem) throw invalid(`SCHEMA_VALIDATION_FAILED: ${problem}`);
  return definition as StateMachineDefinition;
}

/**
 * asl-validator compiles its JSON schemas on every call (hundreds of milliseconds): verdicts are
 * kept for recent definitions, so a redeploy of the same stack does not pay for them again.
 */
const verdicts = new Map<string, string>();

async function validated(text: string, definition: StateMachineDefinition): Promise<string> {
  const key = createHash('sha256').update(text).digest('hex');
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    // Loaded on first use: the interpreter and its validator add seconds to every start of the local AWS.
    const { StateMachine } = await import('aws-local-stepfunctions');
    try {
      new StateMachine(structuredClone(definition), { validationOptions: { checkArn: false } });
      verdict = '';
    } catch (error) {
      verdict = (error as Error).message.replace(/^State machine definition is invalid, see error\(s\) below:\s*/, '').trim() || 'invalid';
    }
    if (verdicts.size >= 200) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, verdict);
  }
  return verdict;
}

/** Features the interpreter does not have: refused with what to do instead. */
function unsupported(definition: Record<string, any>): void {
  if (definition.QueryLanguage === 'JSONata') throw invalid('tap local runs JSONPath state machines only (QueryLanguage JSONata is not supported)');
  for (const [name, state] of allStates(definition as StateMachineDefinition)) {
    if (state.QueryLanguage === 'JSONata') throw invalid(`tap local runs JSONPath states only (state ${name} uses JSONata)`);
    if (state.Assign !== undefined) throw invalid(`tap local does not support variables (Assign in state ${name})`);
    if (state.Type === 'Map') {
      checkMap(state, `/States/${name}`);
      if (isDistributed(state) && allStates(state.ItemProcessor).some(([, s]) => isDistributed(s))) {
        throw invalid(`tap local does not run a distributed Map inside another one's ItemProcessor (state ${name})`);
      }
    }
    if (state.Type === 'Task' && typeof state.Resource === 'string' && /\.(sync|waitForTaskToken)(:\d+)?$/.test(state.Resource)) {
      throw invalid(`tap local does not support the .sync and .waitForTaskToken patterns (state ${name}: ${state.Resource})`);
    }
  }
}

/** Every state, nested ones (Parallel branches, Map processors) included: names are unique machine-wide. */
export function allStates(definition: Pick<StateMachineDefinition, 'States'>): Array<[string, Record<string, any>]> {
  const out: Array<[string, Record<string, any>]> = [];
  for (const [name, state] of Object.entries((definition.States ?? {}) as States)) {
    if (!state || typeof state !== 'object') continue;
    out.push([name, state]);
    for (const branch of (state.Branches ?? []) as StateMachineDefinition[]) out.push(...allStates(branch));
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) out.push(...allStates(processor));
  }
  return out;
}

/** Nesting depth of a JSON value, without recursion (hostile input must not overflow the stack). */
export function depth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** The longest timer Node keeps (setTimeout clamps anything longer to 1 ms). */
export const MAX_TIMER_SECONDS = 2_147_483;

/**
 * The definition the interpreter runs: a Task without a timeout gets the longest a timer allows
 * (AWS has no default; the interpreter would otherwise stop every task at 60 s).
 */
export function forInterpreter(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition);
  for (const [, state] of allStates(copy)) if (isDistributed(state)) asMapRunTask(state);
  for (const [, state] of allStates(copy)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  return copy;
}

/** The Task a distributed Map becomes for the interpreter: its handler runs the map run (map-run/run.ts). */
export const MAP_RUN_RESOURCE = 'arn:aws:states:::tap:mapRun';

/** Keeps what the interpreter applies around the map run (paths, selectors, Retry, Catch, transitions). */
function asMapRunTask(state: Record<string, any>): void {
  const kept = ['Comment', 'InputPath', 'OutputPath', 'ResultPath', 'ResultSelector', 'Retry', 'Catch', 'Next', 'End'];
  for (const key of Object.keys(state)) if (!kept.includes(key)) delete state[key];
  Object.assign(state, { Type: 'Task', Resource: MAP_RUN_RESOURCE });
}
