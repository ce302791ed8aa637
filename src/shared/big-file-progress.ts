/**
 * How far a big file's run has got (src/infra/big-file.ts), from Step Functions: the execution named
 * on its PROCESSING metadata row, its map run (ListMapRuns) and the map run's counts (DescribeMapRun:
 * items are records, child executions are batches). Read by `tap status --file` and `tap upload --wait`.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';

export interface BigFileProgress {
  readonly executionArn: string;
  /** preparing: pass 1 (validating into processed/); writing: the map runs; finishing: recording the outcome. */
  readonly phase: 'preparing' | 'writing' | 'finishing';
  /** The execution's status (RUNNING until the outcome is recorded). */
  readonly status: string;
  /** When the run started (ISO 8601): how long the file has been on its way. */
  readonly startedAt?: string;
  /** Once the map runs: records written, of how many (total grows while the ItemReader reads). */
  readonly recordsWritten?: number;
  readonly recordsTotal?: number;
  readonly batchesDone?: number;
  readonly batchesTotal?: number;
  readonly batchesFailed?: number;
}

export async function bigFileProgress(sfn: SFNClient, executionArn: string): Promise<BigFileProgress> {
  const { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand } = await import('@aws-sdk/client-sfn');
  const [execution, runs] = await Promise.all([
    sfn.send(new DescribeExecutionCommand({ executionArn })),
    sfn.send(new ListMapRunsCommand({ executionArn })),
  ]);
  const status = execution.status ?? 'RUNNING';
  const run0 = { executionArn, status, ...(execution.startDate && { startedAt: execution.startDate.toISOString() }) };
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  if (!mapRunArn) return { ...run0, phase: status === 'RUNNING' ? 'preparing' : 'finishing' };
  const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  const items = run.itemCounts;
  const batches = run.executionCounts;
  return {
    ...run0,
    phase: run.status === 'RUNNING' ? 'writing' : 'finishing',
    recordsWritten: items?.succeeded ?? 0,
    recordsTotal: items?.total ?? 0,
    batchesDone: (batches?.succeeded ?? 0) + (batches?.failed ?? 0) + (batches?.timedOut ?? 0) + (batches?.aborted ?? 0),
    batchesTotal: batches?.total ?? 0,
    batchesFailed: (batches?.failed ?? 0) + (batches?.timedOut ?? 0) + (batches?.aborted ?? 0),
  };
}

/** `writing: 420,000 of 1,000,000 records (12 of 1,000 batches failed)`, for progress lines. */
export function describeProgress(p: BigFileProgress): string {
  if (p.phase !== 'writing') return p.phase === 'preparing' ? 'preparing (validating the file)' : 'finishing (recording the outcome)';
  const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
  const failed = p.batchesFailed ? ` (${n(p.batchesFailed)} of ${n(p.batchesTotal)} batches failed)` : '';
  return `writing: ${n(p.recordsWritten)} of ${n(p.recordsTotal)} records${failed}`;
}
