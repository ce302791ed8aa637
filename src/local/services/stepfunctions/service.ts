/**
 * Step Functions (awsJson1_0, `AWSStepFunctions.*`): state machines (create, update, describe,
 * delete, list, tags) and executions (start with AWS's name rules, describe, list by status, stop,
 * history). Executions run inside the local AWS (executions.ts) with Task integrations for Lambda,
 * DynamoDB, SQS and SNS (tasks.ts). State lives under `<data-dir>/stepfunctions`.
 *
 * Distributed Map (map-run/): items from the state's input or streamed from the local S3
 * (ItemReader `s3:getObject` over JSONL, CSV with FIRST_ROW or GIVEN headers, JSON; and
 * `s3:listObjectsV2`), ItemSelector, ItemBatcher, MaxConcurrency, tolerated failure percentage and
 * count, ResultWriter (AWS's manifest and result files), Label, the `*Path` variants; map runs with
 * ListMapRuns, DescribeMapRun (counts live while it runs), UpdateMapRun and ListExecutions by mapRunArn; MapRunStarted /
 * Succeeded / Failed / Aborted in the history.
 *
 * After a restart (or a crash) of the local AWS, every execution that was RUNNING is resumed from
 * the top-level state it was in, with that state's input: a Wait ends when it would have, a state in
 * Retry back-off keeps its retry count and back-off (resume.ts). This is at-least-once for the
 * resumed state (a Task in flight runs again; a Parallel or inline Map runs again from its input; a
 * distributed Map carries its map run on, running again only the children not finished), never a
 * lost or skipped state; an execution that cannot be resumed fails with a cause that says why. The
 * history shows the resumed state entered a second time; `$$.Execution.StartTime` in the context
 * object is the resumed run's (its Input, Name and Id stay the execution's).
 *
 * Leaves out (what aws-local-stepfunctions does not run): JSONata, variables (Assign), `.sync` and
 * `.waitForTaskToken` (refused at create), activities, HeartbeatSeconds (ignored), versions and
 * aliases, redrive (of executions and map runs), StartSyncExecution, Express workflow semantics
 * (EXPRESS machines run like STANDARD ones), logging to CloudWatch Logs (configuration stored only),
 * X-Ray. Of distributed Map: child executions are not executions of their own (no
 * DescribeExecution or history; ListExecutions with a mapRunArn lists the finished ones, from the
 * map run's progress log, oldest first); ItemReader MANIFEST (S3 inventory) and ResultWriter WriterConfig
 * are refused at create; a JSON (not JSONL) item source is parsed whole (at most 256 MiB); a
 * distributed Map inside another's ItemProcessor is refused; MaxConcurrency 0 means at most 1,000
 * children at once; a failed child in an inline result array is `{ Error, Cause }`.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { jsonHandler, requireField, type JsonOperation } from '../../protocols/json-service.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import { parseDefinition } from './definition.js';
import { Executions } from './executions.js';
import { mapRunOperations } from './map-run/api.js';
import { SfnStore, type ExecutionRecord, type MachineRecord } from './store.js';
import { page, validArn, validInput, validName, validRoleArn } from './validate.js';

type Input = Record<string, any>;
type Operation = (input: Input, region: string) => Promise<Record<string, unknown>>;

/** The service, plus its operations for in-process callers (the CloudFormation provider). */
export interface StepFunctionsService extends LocalService {
  call(operation: 'CreateStateMachine' | 'UpdateStateMachine' | 'DeleteStateMachine' | 'DescribeStateMachine', region: string, input: Input): Promise<Record<string, any>>;
}

const machineMissing = (arn: string) => new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
const executionMissing = (arn: string) => new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
const LOGGING_OFF = { level: 'OFF', includeExecutionData: false };

export function stepFunctionsService(ctx: LocalContext): StepFunctionsService {
  const root = serviceDir(ctx.dataDir, 'stepfunctions');
  const store = new SfnStore(root);
  const executions = new Executions(ctx, store);
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  };

  const machine = async (arn: unknown) => {
    const m = await store.machines.get(validArn(arn, 'stateMachine'));
    if (!m) throw machineMissing(String(arn));
    return m;
  };
  const execution = async (arn: unknown) => {
    const valid = validArn(arn, 'execution');
    const e = executions.running(valid) ?? (await store.executions.get(valid));
    if (!e) throw executionMissing(valid);
    return e;
  };

  const mapRuns = mapRunOperations(executions.mapRuns, execution);
  const ops: Record<string, Operation> = {
    CreateStateMachine: (input, region) =>
      serialize(async () => {
        const name = validName(input.name, 'name');
        const definition = requireField<string>(input, 'definition');
        await parseDefinition(definition);
        const roleArn = validRoleArn(input.roleArn);
        const type = input.type ?? 'STANDARD';
        if (type !== 'STANDARD' && type !== 'EXPRESS') throw new AwsError('ValidationException', `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
        const arn = `arn:aws:states:${region}:${ctx.accountId}:stateMachine:${name}`;
        const existing = await store.machines.get(arn);
        if (existing) {
          // Same name and same configuration: AWS answers with the existing machine (idempotent create).
          if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) return { stateMachineArn: arn, creationDate: existing.creationDate };
          throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
        }
        const record: MachineRecord = {
          stateMachineArn: arn,
          name,
          definition,
          roleArn,
          type,
          status: 'ACTIVE',
          creationDate: Date.now() / 1000,
          revisionId: randomUUID(),
          loggingConfiguration: input.loggingConfiguration ?? LOGGING_OFF,
          tracingConfiguration: input.tracingConfiguration ?? { enabled: false },
          tags: validTags(input.tags ?? []),
        };
        await store.machines.put(arn, record);
        return { stateMachineArn: arn, creationDate: record.creationDate };
      }),
    UpdateStateMachine: (input) =>
      serialize(async () => {
        const m = await machine(input.stateMachineArn);
        if ([input.definition, input.roleArn, input.loggingConfiguration, input.tracingConfiguration].every((v) => v === undefined)) {
          throw new AwsError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
        }
        if (input.definition !== undefined) {
          await parseDefinition(input.definition);
          m.definition = input.definition;
        }
        if (input.roleArn !== undefined) m.roleArn = validRoleArn(input.roleArn);
        if (input.loggingConfiguration !== undefined) m.loggingConfiguration = input.loggingConfiguration;
        if (input.tracingConfiguration !== undefined) m.tracingConfiguration = input.tracingConfiguration;
        m.updateDate = Date.now() / 1000;
        m.revisionId = randomUUID();
        await store.machines.put(m.stateMachineArn, m);
        return { updateDate: m.updateDate, revisionId: m.revisionId };
      }),
    DescribeStateMachine: async (input) => {
      const { tags: _t, updateDate: _u, ...m } = await machine(input.stateMachineArn);
      return m;
    },
    DeleteStateMachine: async (input) => {
      // Idempotent as on AWS; executions already running finish with the definition they started with.
      await store.machines.delete(validArn(input.stateMachineArn, 'stateMachine'));
      return {};
    },
    ListStateMachines: async (input) => {
      const all = (await store.machines.list()).sort((a, b) => a.creationDate - b.creationDate || a.name.localeCompare(b.name));
      const { items, nextToken } = page(all, input.maxResults, input.nextToken);
      return { stateMachines: items.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: m.creationDate })), ...(nextToken ? { nextToken } : {}) };
    },
    StartExecution: (input) =>
      serialize(async () => {
        const m = await machine(input.stateMachineArn);
        const name = input.name === undefined ? randomUUID() : validName(input.name, 'name');
        const text = validInput(input.input);
        const arn = `${m.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        const existing = executions.running(arn) ?? (await store.executions.get(arn));
        if (existing) {
          // AWS: the same name and input while it runs returns that execution; anything else is refused.
          if (existing.status === 'RUNNING' && existing.input === text) return { executionArn: arn, startDate: existing.startDate };
          throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        }
        const record: ExecutionRecord = { executionArn: arn, stateMachineArn: m.stateMachineArn, name, status: 'RUNNING', startDate: Date.now() / 1000, input: text, definition: m.definition, roleArn: m.roleArn };
        await executions.start(record);
        return { executionArn: arn, startDate: record.startDate };
      }),
    DescribeExecution: async (input) => {
      const e = await execution(input.executionArn);
      return {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
        input: e.input,
        inputDetails: { included: true },
        ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
        ...(e.cause !== undefined ? { cause: e.cause } : {}),
      };
    },
    DescribeStateMachineForExecution: async (input) => {
      const e = await execution(input.executionArn);
      return { stateMachineArn: e.stateMachineArn, name: e.stateMachineArn.split(':').pop(), definition: e.definition, roleArn: e.roleArn, updateDate: e.startDate };
    },
    ListExecutions: async (input) => {
      if (input.mapRunArn !== undefined && input.stateMachineArn !== undefined) throw new AwsError('ValidationException', 'Specify either stateMachineArn or mapRunArn, not both');
      if (input.mapRunArn !== undefined) return mapRuns.listChildren(input);
      const m = await machine(input.stateMachineArn);
      const filter = input.statusFilter;
      if (filter !== undefined && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(filter)) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${filter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]`);
      }
      const all = (await store.executions.list())
        .map((e) => executions.running(e.executionArn) ?? e)
        .filter((e) => e.stateMachineArn === m.stateMachineArn && (!filter || e.status === filter))
        .sort((a, b) => b.startDate - a.startDate || a.name.localeCompare(b.name));
      const { items, nextToken } = page(all, input.maxResults, input.nextToken);
      return {
        executions: items.map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate, ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}) })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    StopExecution: async (input) => {
      const e = await execution(input.executionArn);
      const stopped = await executions.stop(e.executionArn, input.error, input.cause);
      return { stopDate: stopped?.stopDate ?? e.stopDate ?? Date.now() / 1000 };
    },
    GetExecutionHistory: async (input) => {
      const e = await execution(input.executionArn);
      const events = executions.runningHistory(e.executionArn) ?? (await store.histories.get(e.executionArn))?.events ?? [];
      const ordered = input.reverseOrder === true ? [...events].reverse() : events;
      const { items, nextToken } = page(ordered, input.maxResults, input.nextToken);
      const shown = input.includeExecutionData === false ? items.map(withoutData) : items;
      return { events: shown, ...(nextToken ? { nextToken } : {}) };
    },
    TagResource: async (input) => {
      const m = await machine(input.resourceArn);
      const added = validTags(requireField(input, 'tags'));
      m.tags = [...m.tags.filter((t) => !added.some((a) => a.key === t.key)), ...added];
      await store.machines.put(m.stateMachineArn, m);
      return {};
    },
    UntagResource: async (input) => {
      const m = await machine(input.resourceArn);
      const keys = requireField<unknown>(input, 'tagKeys');
      if (!Array.isArray(keys)) throw new AwsError('ValidationException', "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must be a list");
      m.tags = m.tags.filter((t) => !keys.includes(t.key));
      await store.machines.put(m.stateMachineArn, m);
      return {};
    },
    ListTagsForResource: async (input) => ({ tags: (await machine(input.resourceArn)).tags }),
    ListMapRuns: mapRuns.ListMapRuns,
    DescribeMapRun: mapRuns.DescribeMapRun,
    UpdateMapRun: mapRuns.UpdateMapRun,
  };

  const operations: Record<string, JsonOperation> = Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, (input: Input, req) => op(input, req.region)]));

  return {
    name: 'states',
    targetPrefixes: ['AWSStepFunctions'],
    ...jsonHandler(ctx, 'stepfunctions', operations, '1.0'),
    async call(operation, region, input) {
      return ops[operation]!(input, region);
    },
    start: () => executions.resumeAll(),
    stop: () => executions.shutdown(),
    async reset() {
      await executions.shutdown();
      await removeIfExists(root);
      await executions.resumeAll();
    },
  };
}

/** Step Functions tags are `{ key, value }` (lower case), at most 50. */
function validTags(tags: unknown): MachineRecord['tags'] {
  if (!Array.isArray(tags) || tags.length > 50 || !tags.every((t) => t && typeof t.key === 'string' && (t.value === undefined || typeof t.value === 'string'))) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must be a list of at most 50 { key, value } strings");
  }
  return tags.map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** includeExecutionData: false drops inputs, outputs and parameters from the events. */
function withoutData(event: Record<string, any>): Record<string, any> {
  const copy: Record<string, any> = { ...event };
  for (const [k, v] of Object.entries(copy)) {
    if (!k.endsWith('EventDetails') || !v || typeof v !== 'object') continue;
    const { input: _i, output: _o, parameters: _p, ...rest } = v as Record<string, unknown>;
    copy[k] = rest;
  }
  return copy;
}
