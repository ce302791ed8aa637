/**
 * A distributed Map's fields: checked at CreateStateMachine (AWS's limits, InvalidDefinition) and
 * resolved at run time (the `*Path` variants read from the state's input).
 */
import { AwsError } from '../../../errors.js';
import type { Json } from '../definition.js';
import { TaskError } from '../tasks.js';

type State = Record<string, any>;

/** AWS's bounds: a child's input is at most 256 KiB; MaxItems at most 100,000,000; Label 40 characters. */
export const MAX_BATCH_BYTES = 262_144;
export const MAX_ITEMS = 100_000_000;
const MAX_LABEL = 40;
export const READERS = ['arn:aws:states:::s3:getObject', 'arn:aws:states:::s3:listObjectsV2'];
export const WRITER = 'arn:aws:states:::s3:putObject';

export function isDistributed(state: State | undefined): boolean {
  return state?.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

const invalid = (why: string, at: string) => new AwsError('InvalidDefinition', `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${why} at ${at}'`);

/** The checks AWS makes of a Map state's distributed fields; `at` is its JSON pointer (`/States/Name`). */
export function checkMap(state: State, at: string): void {
  const mode = state.ItemProcessor?.ProcessorConfig?.Mode ?? 'INLINE';
  if (mode !== 'INLINE' && mode !== 'DISTRIBUTED') throw invalid(`Mode must be one of [INLINE, DISTRIBUTED], not '${mode}'`, `${at}/ItemProcessor/ProcessorConfig/Mode`);
  if (mode === 'INLINE') {
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'Label']) {
      if (state[field] !== undefined) throw invalid(`The field '${field}' is only supported in a Map state whose ProcessorConfig Mode is DISTRIBUTED`, `${at}/${field}`);
    }
    return;
  }
  const type = state.ItemProcessor.ProcessorConfig.ExecutionType;
  if (type !== 'STANDARD' && type !== 'EXPRESS') throw invalid(`ExecutionType must be one of [STANDARD, EXPRESS] for a DISTRIBUTED Map, not '${type ?? 'missing'}'`, `${at}/ItemProcessor/ProcessorConfig/ExecutionType`);
  if (state.ItemSelector !== undefined && state.Parameters !== undefined) throw invalid("The fields 'ItemSelector' and 'Parameters' are mutually exclusive", at);
  if (state.ItemReader !== undefined && state.ItemsPath !== undefined) throw invalid("The fields 'ItemsPath' and 'ItemReader' are mutually exclusive", at);
  exclusive(state, 'MaxConcurrency', at);
  integer(state.MaxConcurrency, 0, Infinity, 'MaxConcurrency', at);
  exclusive(state, 'ToleratedFailurePercentage', at);
  if (state.ToleratedFailurePercentage !== undefined && !(typeof state.ToleratedFailurePercentage === 'number' && state.ToleratedFailurePercentage >= 0 && state.ToleratedFailurePercentage <= 100)) {
    throw invalid('ToleratedFailurePercentage must be a number between 0 and 100', `${at}/ToleratedFailurePercentage`);
  }
  exclusive(state, 'ToleratedFailureCount', at);
  integer(state.ToleratedFailureCount, 0, Infinity, 'ToleratedFailureCount', at);
  if (state.Label !== undefined && (typeof state.Label !== 'string' || state.Label.length > MAX_LABEL || !/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]+$/u.test(state.Label))) {
    throw invalid(`Label must be 1 to ${MAX_LABEL} characters without whitespace, brackets, wildcards or punctuation like ':' and '/'`, `${at}/Label`);
  }
  if (state.ItemReader !== undefined) checkReader(state.ItemReader, `${at}/ItemReader`);
  if (state.ItemBatcher !== undefined) checkBatcher(state.ItemBatcher, `${at}/ItemBatcher`);
  if (state.ResultWriter !== undefined) checkWriter(state.ResultWriter, `${at}/ResultWriter`);
}

function checkReader(reader: State, at: string): void {
  if (!reader || typeof reader !== 'object') throw invalid('ItemReader must be an object', at);
  if (!READERS.includes(reader.Resource)) throw invalid(`tap local reads items with ${READERS.join(' or ')} (not '${reader.Resource}')`, `${at}/Resource`);
  const params = reader.Parameters ?? {};
  for (const field of reader.Resource.endsWith('getObject') ? ['Bucket', 'Key'] : ['Bucket']) {
    if (params[field] === undefined && params[`${field}.$`] === undefined) throw invalid(`The field '${field}' is required`, `${at}/Parameters`);
  }
  const config = reader.ReaderConfig ?? {};
  if (reader.Resource.endsWith('getObject')) {
    if (!['JSON', 'JSONL', 'CSV', 'MANIFEST'].includes(config.InputType)) throw invalid(`InputType must be one of [CSV, JSON, JSONL, MANIFEST], not '${config.InputType ?? 'missing'}'`, `${at}/ReaderConfig/InputType`);
    if (config.InputType === 'MANIFEST') throw invalid('tap local does not read S3 inventory manifests (InputType MANIFEST)', `${at}/ReaderConfig/InputType`);
  }
  if (config.InputType === 'CSV') {
    if (config.CSVHeaderLocation !== 'FIRST_ROW' && config.CSVHeaderLocation !== 'GIVEN') throw invalid(`CSVHeaderLocation must be one of [FIRST_ROW, GIVEN] for a CSV InputType`, `${at}/ReaderConfig/CSVHeaderLocation`);
    const headers = config.CSVHeaders;
    if (config.CSVHeaderLocation === 'GIVEN' && !(Array.isArray(headers) && headers.length > 0 && headers.every((h: unknown) => typeof h === 'string'))) {
      throw invalid('CSVHeaders must be a non-empty array of strings when CSVHeaderLocation is GIVEN', `${at}/ReaderConfig/CSVHeaders`);
    }
    if (config.CSVHeaderLocation === 'FIRST_ROW' && headers !== undefined) throw invalid('CSVHeaders is only allowed when CSVHeaderLocation is GIVEN', `${at}/ReaderConfig/CSVHeaders`);
    if (config.CSVDelimiter !== undefined && !(config.CSVDelimiter in DELIMITERS)) throw invalid(`CSVDelimiter must be one of [${Object.keys(DELIMITERS).join(', ')}]`, `${at}/ReaderConfig/CSVDelimiter`);
  } else if (config.CSVHeaderLocation !== undefined || config.CSVHeaders !== undefined) {
    throw invalid('CSVHeaderLocation and CSVHeaders are only allowed when InputType is CSV', `${at}/ReaderConfig`);
  }
  exclusive(config, 'MaxItems', `${at}/ReaderConfig`);
  integer(config.MaxItems, 0, MAX_ITEMS, 'MaxItems', `${at}/ReaderConfig`);
}

export const DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

function checkBatcher(batcher: State, at: string): void {
  if (!batcher || typeof batcher !== 'object') throw invalid('ItemBatcher must be an object', at);
  exclusive(batcher, 'MaxItemsPerBatch', at);
  exclusive(batcher, 'MaxInputBytesPerBatch', at);
  if (['MaxItemsPerBatch', 'MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath'].every((f) => batcher[f] === undefined)) {
    throw invalid('ItemBatcher needs MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch or MaxInputBytesPerBatchPath', at);
  }
  integer(batcher.MaxItemsPerBatch, 1, Infinity, 'MaxItemsPerBatch', at);
  integer(batcher.MaxInputBytesPerBatch, 1, MAX_BATCH_BYTES, 'MaxInputBytesPerBatch', at);
  if (batcher.BatchInput !== undefined && (batcher.BatchInput === null || typeof batcher.BatchInput !== 'object' || Array.isArray(batcher.BatchInput))) throw invalid('BatchInput must be an object', `${at}/BatchInput`);
}

function checkWriter(writer: State, at: string): void {
  if (!writer || typeof writer !== 'object') throw invalid('ResultWriter must be an object', at);
  if (writer.WriterConfig !== undefined) throw invalid('tap local does not support WriterConfig (results are written untransformed, as JSON)', `${at}/WriterConfig`);
  if (writer.Resource !== WRITER) throw invalid(`ResultWriter's Resource must be ${WRITER}`, `${at}/Resource`);
  const params = writer.Parameters ?? {};
  if (params.Bucket === undefined && params['Bucket.$'] === undefined) throw invalid("The field 'Bucket' is required", `${at}/Parameters`);
}

function exclusive(object: State, field: string, at: string): void {
  if (object[field] !== undefined && object[`${field}Path`] !== undefined) throw invalid(`The fields '${field}' and '${field}Path' are mutually exclusive`, at);
}

function integer(value: unknown, min: number, max: number, field: string, at: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer ${max === Infinity ? `greater than or equal to ${min}` : `between ${min} and ${max}`}`, `${at}/${field}`);
  }
}

/**
 * A numeric field at run time: its literal, or its `*Path` read from the state's input (a path
 * that does not lead to a fitting number fails the state with States.Runtime, as on AWS).
 */
export function numberField(object: State | undefined, field: string, input: Json, query: (path: string, json: Json) => unknown, bounds: { min: number; max: number; integer: boolean }): number | undefined {
  if (!object) return undefined;
  if (object[field] !== undefined) return object[field] as number;
  const path = object[`${field}Path`];
  if (path === undefined) return undefined;
  const value = query(path, input);
  if (typeof value !== 'number' || (bounds.integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
    throw new TaskError('States.Runtime', `The value at ${field}Path '${path}' must be ${bounds.integer ? 'an integer' : 'a number'} between ${bounds.min} and ${bounds.max}, not ${JSON.stringify(value) ?? 'undefined'}.`);
  }
  return value;
}
