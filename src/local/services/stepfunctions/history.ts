/**
 * Execution history as GetExecutionHistory returns it: numbered events of AWS's types
 * (ExecutionStarted, TaskStateEntered, TaskScheduled, TaskSucceeded, LambdaFunctionFailed, …),
 * each with its `<type>EventDetails` (`stateEnteredEventDetails` for every *StateEntered).
 */
import type { HistoryEvent } from './store.js';

/** AWS's limit for an input or output carried in an event (larger ones are truncated). */
const MAX_DATA = 262_144;

export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

export class History {
  constructor(readonly events: HistoryEvent[] = []) {}

  add(type: string, details?: Record<string, unknown>): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, timestamp: Date.now() / 1000, type, ...(details ? { [detailsKey(type)]: details } : {}) });
  }
}

/** A document as events carry it: JSON text, truncated (and flagged) beyond AWS's limit. */
export function data(value: unknown, field: 'input' | 'output'): Record<string, unknown> {
  const text = JSON.stringify(value ?? null);
  const truncated = Buffer.byteLength(text) > MAX_DATA;
  return { [field]: truncated ? text.slice(0, MAX_DATA) : text, [`${field}Details`]: { truncated } };
}

/** Error and cause strings: a cause that is not a string is shown as JSON, as AWS does. */
export function errorDetails(error: unknown, cause: unknown): { error: string; cause: string } {
  return { error: String(error ?? 'States.Runtime'), cause: typeof cause === 'string' ? cause : cause === undefined ? '' : JSON.stringify(cause) };
}
