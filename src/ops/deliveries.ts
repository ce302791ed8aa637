/**
 * `tap deliveries`: the recent file outcomes with a webhook delivery (from the metadata table, where
 * the notifier records each attempt), and `tap deliveries retry --file`: a new delivery of a file's
 * newest outcome (a new execution name, so Step Functions runs it although the first one ran),
 * followed to its end.
 */
import { executionName, outcomeOf } from '../handlers/delivery/outcome.js';
import { type MetadataItem, isOutcome } from '../handlers/ports.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import { incomingKey } from './keys.js';
import { type FileRun, fileHistory, recentRuns } from './metadata.js';
import type { Pipeline } from './pipeline.js';
import { step, type Reporter } from './reporter.js';

export interface DeliveriesOptions {
  /** Only deliveries that ended FAILED. */
  readonly failed?: boolean;
  /** Outcomes of files uploaded in this window (ms before now); 24 hours by default. */
  readonly sinceMs?: number;
  readonly limit: number;
  readonly now?: number;
}

export interface DeliveriesResult {
  readonly kind: 'deliveries';
  readonly since: string;
  /** Runs with a delivery, newest upload first. */
  readonly runs: Array<FileRun & { delivery: NonNullable<FileRun['delivery']> }>;
  /** More matched than `limit`. */
  readonly more: boolean;
}

const SCAN_CAP = 5_000;

export async function listDeliveries(clients: Clients, pipeline: Pipeline, options: DeliveriesOptions, reporter: Reporter): Promise<DeliveriesResult> {
  const since = new Date((options.now ?? Date.now()) - (options.sinceMs ?? 86_400_000)).toISOString();
  try {
    const docs = await clients.documents();
    const pages = await step(reporter, 'TAP_DELIVERIES_READ', `Reading ${pipeline.metadataTable}`, () =>
      Promise.all((['SUCCESS', 'FAILED'] as const).map((status) => recentRuns(docs, pipeline.metadataTable, pipeline.statusIndex, { status, since, max: SCAN_CAP }))),
    );
    const runs = pages
      .flatMap((p) => p.runs)
      .filter((r): r is DeliveriesResult['runs'][number] => r.delivery !== undefined && (!options.failed || r.delivery.status === 'FAILED'))
      .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt) || a.key.localeCompare(b.key));
    return { kind: 'deliveries', since, runs: runs.slice(0, options.limit), more: runs.length > options.limit };
  } catch (error) {
    throw explainAwsError(error, clients.target, `reading the deliveries of ${pipeline.stackName}`);
  }
}

export interface RetryOptions {
  readonly file: string;
  /** Stop following after this long (the delivery goes on). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

export interface RetryResult {
  readonly kind: 'retry';
  readonly key: string;
  readonly executionName: string;
  readonly executionArn: string;
  /** The execution's end: SUCCEEDED (delivered, or no webhook), FAILED…, or RUNNING when we stopped following. */
  readonly executionStatus: string;
  readonly run?: FileRun;
}

export async function retryDelivery(clients: Clients, pipeline: Pipeline, options: RetryOptions, reporter: Reporter): Promise<RetryResult> {
  if (!pipeline.deliveryStateMachine) {
    throw new UserError(`${pipeline.stackName} has no delivery state machine: it was deployed by an older tap. Run tap deploy --env ${pipeline.env} (with --webhook-url URL).`);
  }
  const key = incomingKey(options.file);
  const { DescribeExecutionCommand, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  try {
    const docs = await clients.documents();
    const [newest] = await fileHistory(docs, pipeline.metadataTable, key);
    if (!newest) throw new UserError(`No outcome is recorded for ${key}, so there is nothing to deliver: see tap status --file ${key}.`);
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Item } = await docs.send(new GetCommand({ TableName: pipeline.metadataTable, Key: { filename: key, upload_timestamp: newest.uploadedAt }, ConsistentRead: true }));
    const row = Item as MetadataItem;
    if (!isOutcome(row)) throw new UserError(`${key} is still being processed, so it has no outcome to deliver yet: see tap status --file ${key}.`);
    const outcome = outcomeOf(row);
    const name = executionName(outcome, Date.now().toString(36));
    const sfn = await clients.sfn();
    const started = await step(reporter, 'TAP_DELIVERY_START', `Starting delivery ${name}`, () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: pipeline.deliveryStateMachine, name, input: JSON.stringify({ outcome }) })),
    );
    const arn = started.executionArn!;
    const deadline = Date.now() + options.timeoutMs;
    const status = await step(reporter, 'TAP_DELIVERY_FOLLOW', 'Following the delivery', async () => {
      for (;;) {
        const out = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
        if (out.status !== 'RUNNING' || Date.now() >= deadline || options.signal?.aborted) return out.status ?? 'RUNNING';
        await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
      }
    });
    const [after] = await fileHistory(docs, pipeline.metadataTable, key);
    return { kind: 'retry', key, executionName: name, executionArn: arn, executionStatus: status, ...(after && { run: after }) };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw explainAwsError(error, clients.target, `retrying the delivery of ${key}`);
  }
}
