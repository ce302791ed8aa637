/**
 * A distributed Map's child workflow executions: the ItemProcessor run by the interpreter, one run
 * per child input, its Task states going through TaskRunner (so Retry and Catch match the same
 * error names as in the parent). Children are light: they keep no history or record of their own;
 * their outcome goes to the map run's progress log (and the ResultWriter's files).
 */
import type { StateMachine as Machine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { allStates, forInterpreter, MAX_PAYLOAD, type Json } from '../definition.js';
import { TaskError, type TaskRunner } from '../tasks.js';

export interface Outcome {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: Json;
  error?: string;
  cause?: string;
}

export interface ChildIdentity {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly startTime: string;
}

export class Processor {
  private machine?: Machine;
  private readonly handlers: Record<string, (input: any) => Promise<Json>> = {};

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly tasks: TaskRunner,
    private readonly region: string,
  ) {}

  private async load(): Promise<Machine> {
    if (this.machine) return this.machine;
    const { StateMachine } = await import('aws-local-stepfunctions');
    const runnable = forInterpreter({ StartAt: this.definition.StartAt, States: this.definition.States } as StateMachineDefinition);
    for (const [name, state] of allStates(runnable)) {
      if (state.Type !== 'Task') continue;
      this.handlers[name] = async (input) => {
        const output = await this.tasks.run(state.Resource, input, this.region);
        if (Buffer.byteLength(JSON.stringify(output ?? null)) > MAX_PAYLOAD) {
          throw new TaskError('States.DataLimitExceeded', `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
        }
        return output;
      };
    }
    this.machine = new StateMachine(runnable, { validationOptions: { noValidate: true } });
    return this.machine;
  }

  /** Runs one child; `signal` aborts it (its outcome is then ABORTED). */
  async run(input: Json, who: ChildIdentity, signal: AbortSignal): Promise<Outcome> {
    if (Buffer.byteLength(JSON.stringify(input ?? null)) > MAX_PAYLOAD) {
      return { status: 'FAILED', error: 'States.DataLimitExceeded', cause: `The child execution's input is larger than the ${MAX_PAYLOAD} bytes service limit.` };
    }
    const machine = await this.load();
    if (signal.aborted) return { status: 'ABORTED' };
    const context = {
      Execution: { Id: who.executionArn, Name: who.name, RoleArn: who.roleArn, StartTime: who.startTime, Input: input },
      StateMachine: { Id: who.stateMachineArn, Name: who.stateMachineName },
    };
    const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: this.handlers as never }, context: context as never, noThrowOnAbort: true });
    const abort = () => execution.abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const output = (await execution.result) as Json;
      if (signal.aborted) return { status: 'ABORTED' };
      if (Buffer.byteLength(JSON.stringify(output ?? null)) > MAX_PAYLOAD) {
        return { status: 'FAILED', error: 'States.DataLimitExceeded', cause: `The state/task returned a result with a size exceeding the maximum number of bytes service limit (${MAX_PAYLOAD}).` };
      }
      return { status: 'SUCCEEDED', output };
    } catch (error) {
      if (signal.aborted) return { status: 'ABORTED' };
      const cause = (error as { cause?: { name?: string; cause?: unknown; message?: string } }).cause;
      const text = cause?.cause ?? cause?.message ?? (error as Error).message;
      return { status: 'FAILED', error: String(cause?.name ?? 'States.Runtime'), cause: typeof text === 'string' ? text : JSON.stringify(text) };
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
}
