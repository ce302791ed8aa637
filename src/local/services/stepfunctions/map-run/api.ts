/** ListMapRuns, DescribeMapRun and UpdateMapRun, with Step Functions' checks and error codes. */
import { AwsError } from '../../../errors.js';
import { page, pageBounds, tokenAt } from '../validate.js';
import { childArns } from './results.js';
import type { MapRuns } from './run.js';
import type { MapRunRecord } from './store.js';

type Input = Record<string, any>;

const notFound = (arn: string) => new AwsError('ResourceNotFound', `Resource not found: '${arn}'`);

function validMapRunArn(arn: unknown): string {
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  if (parts.length < 8 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'mapRun') throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
  return arn as string;
}

export function mapRunOperations(runs: MapRuns, execution: (arn: unknown) => Promise<{ executionArn: string }>) {
  const get = async (arn: unknown): Promise<MapRunRecord> => {
    const valid = validMapRunArn(arn);
    const r = await runs.get(valid);
    if (!r) throw notFound(valid);
    return r;
  };
  return {
    ListMapRuns: async (input: Input) => {
      const e = await execution(input.executionArn);
      const { items, nextToken } = page(await runs.list(e.executionArn), input.maxResults, input.nextToken);
      return {
        mapRuns: items.map((r) => ({ executionArn: r.executionArn, mapRunArn: r.mapRunArn, stateMachineArn: r.stateMachineArn, startDate: r.startDate, ...(r.stopDate !== undefined ? { stopDate: r.stopDate } : {}) })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeMapRun: async (input: Input) => {
      const r = await get(input.mapRunArn);
      return {
        mapRunArn: r.mapRunArn,
        executionArn: r.executionArn,
        status: r.status,
        startDate: r.startDate,
        ...(r.stopDate !== undefined ? { stopDate: r.stopDate } : {}),
        maxConcurrency: r.maxConcurrency,
        toleratedFailurePercentage: r.toleratedFailurePercentage,
        toleratedFailureCount: r.toleratedFailureCount,
        itemCounts: { ...r.itemCounts },
        executionCounts: { ...r.executionCounts },
        redriveCount: 0,
      };
    },
    /** ListExecutions with a mapRunArn: the map run's finished children, oldest first, read from its progress log. */
    listChildren: async (input: Input) => {
      const r = await get(input.mapRunArn);
      const { start, max } = pageBounds(input.maxResults, input.nextToken);
      const executions: Array<Record<string, unknown>> = [];
      let n = 0;
      for await (const line of runs.store.lines(r.mapRunArn)) {
        if (input.statusFilter && line.s !== input.statusFilter) continue;
        if (n++ < start) continue;
        if (executions.length === max) return { executions, nextToken: tokenAt(start + max) };
        executions.push({ ...childArns(r.mapRunArn, line.name), name: line.name, status: line.s, startDate: line.start / 1000, stopDate: line.stop / 1000, mapRunArn: r.mapRunArn, itemCount: line.n });
      }
      return { executions };
    },
    UpdateMapRun: async (input: Input) => {
      const r = await get(input.mapRunArn);
      const changes: Input = {};
      if (input.maxConcurrency !== undefined) {
        if (!Number.isInteger(input.maxConcurrency) || input.maxConcurrency < 0) throw validation('maxConcurrency', 'Member must have value greater than or equal to 0');
        changes.maxConcurrency = input.maxConcurrency;
      }
      if (input.toleratedFailurePercentage !== undefined) {
        if (typeof input.toleratedFailurePercentage !== 'number' || input.toleratedFailurePercentage < 0 || input.toleratedFailurePercentage > 100) {
          throw validation('toleratedFailurePercentage', 'Member must have value between 0 and 100');
        }
        changes.toleratedFailurePercentage = input.toleratedFailurePercentage;
      }
      if (input.toleratedFailureCount !== undefined) {
        if (!Number.isInteger(input.toleratedFailureCount) || input.toleratedFailureCount < 0) throw validation('toleratedFailureCount', 'Member must have value greater than or equal to 0');
        changes.toleratedFailureCount = input.toleratedFailureCount;
      }
      if (Object.keys(changes).length === 0) throw new AwsError('ValidationException', 'At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified');
      if (r.status !== 'RUNNING' || !runs.update(r.mapRunArn, changes)) throw new AwsError('ValidationException', `The Map Run '${r.mapRunArn}' is not running and cannot be updated`);
      return {};
    },
  };
}

const validation = (field: string, rule: string) => new AwsError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`);
