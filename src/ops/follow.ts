import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { sleep } from './abort.js';
import type { Reporter } from './reporter.js';

export interface FailedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason: string;
}

export interface FollowResult {
  readonly status: string;
  readonly ok: boolean;
  /** Resources that failed, with CloudFormation's reason, first failure first. */
  readonly failures: FailedResource[];
  readonly durationMs: number;
}

export interface FollowOptions {
  /** Stops following (CloudFormation goes on): the result's status is then `STOPPED_FOLLOWING`. */
  readonly signal?: AbortSignal;
  /** Gives up following after this long (FOLLOW_MAX_WAIT_MS unless given): status `STILL_IN_PROGRESS`. */
  readonly maxWaitMs?: number;
}

/** Longer than any stack of ours takes; past it, something on AWS's side is stuck. */
export const FOLLOW_MAX_WAIT_MS = 2 * 60 * 60_000;

const TERMINAL = /(_COMPLETE|_FAILED)$/;
const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE', 'IMPORT_COMPLETE']);

/**
 * The newest event of a stack, before an operation starts: what follows it belongs to the operation.
 * (Clocks are not to be trusted for this: the previous operation may have ended a second ago.)
 */
export async function latestEventId(cfn: CloudFormationClient, stack: string): Promise<string | undefined> {
  const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stack }));
    return page.StackEvents?.[0]?.EventId;
  } catch (error) {
    if ((error as Error).name === 'ValidationError') return undefined; // no such stack yet
    throw error;
  }
}

/**
 * Follows a stack operation to its end by polling its events (as the console does), reporting each
 * resource as it settles. Only events newer than `afterEventId` (see latestEventId) count.
 */
export async function followStack(
  cfn: CloudFormationClient,
  stack: { name: string; id?: string },
  afterEventId: string | undefined,
  total: number,
  reporter: Reporter,
  options: FollowOptions = {},
): Promise<FollowResult> {
  const { paginateDescribeStackEvents } = await import('@aws-sdk/client-cloudformation');
  const started = performance.now();
  const seen = new Set<string>();
  const settled = new Set<string>();
  // Resources CloudFormation is working on now: a count that says the wait is not over.
  const working = new Set<string>();
  const failures: FailedResource[] = [];
  const stackRef = stack.id ?? stack.name;
  // Only a terminal status after this operation's own *_IN_PROGRESS counts.
  let begun = false;
  for (let delay = 250; ; delay = Math.min(delay * 1.4, 2500)) {
    const fresh: StackEvent[] = [];
    // Events come newest first; page until we reach what we have seen or what came before.
    pages: for await (const page of paginateDescribeStackEvents({ client: cfn }, { StackName: stackRef })) {
      for (const event of page.StackEvents ?? []) {
        if (seen.has(event.EventId!) || event.EventId === afterEventId) break pages;
        fresh.push(event);
      }
    }

    for (const event of fresh.reverse()) {
      seen.add(event.EventId!);
      const status = event.ResourceStatus ?? '';
      const isStack = event.ResourceType === 'AWS::CloudFormation::Stack' && event.LogicalResourceId === stack.name;
      if (status.endsWith('_FAILED') && !isStack) {
        failures.push({
          logicalId: event.LogicalResourceId ?? '?',
          type: event.ResourceType ?? '?',
          status,
          reason: event.ResourceStatusReason ?? 'no reason given',
        });
      }
      if (isStack) {
        if (status.endsWith('_IN_PROGRESS')) begun = true;
        else if (begun && TERMINAL.test(status)) {
          return { status, ok: SUCCESS.has(status), failures, durationMs: Math.round(performance.now() - started) };
        }
        continue;
      }
      const id = event.LogicalResourceId ?? '';
      if (TERMINAL.test(status)) {
        settled.add(id);
        working.delete(id);
      } else if (status.endsWith('_IN_PROGRESS')) working.add(id);
      const busy = working.size ? ` · ${working.size} in progress` : '';
      reporter.emit({
        type: 'progress',
        code: 'TAP_STACK_EVENT',
        message: `${id} (${event.ResourceType}) ${status}${busy} · ${((performance.now() - started) / 1000).toFixed(1)} s`,
        done: settled.size,
        // Unknown (0) or outgrown: what has settled plus what is still being worked on.
        total: Math.max(total, settled.size + working.size),
      });
    }
    const waited = performance.now() - started;
    const stopped = options.signal?.aborted ? 'STOPPED_FOLLOWING' : waited > (options.maxWaitMs ?? FOLLOW_MAX_WAIT_MS) ? 'STILL_IN_PROGRESS' : undefined;
    if (stopped) return { status: stopped, ok: false, failures, durationMs: Math.round(waited) };
    await sleep(delay, options.signal);
  }
}
