import { CreateStateMachineCommand, DescribeExecutionCommand, type DescribeExecutionCommandOutput, GetExecutionHistoryCommand, type HistoryEvent, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { eventually } from './eventually.js';

export const SFN_ROLE = 'arn:aws:iam::000000000000:role/tap-states';

/** Creates a state machine from a definition object; returns its ARN. */
export async function createMachine(sfn: SFNClient, name: string, definition: object): Promise<string> {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: SFN_ROLE }));
  return stateMachineArn!;
}

/** Starts an execution and waits until it is no longer RUNNING. */
export async function runToEnd(sfn: SFNClient, stateMachineArn: string, input: unknown = {}, timeoutMs = 90_000): Promise<DescribeExecutionCommandOutput & { executionArn: string }> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return { ...(await finished(sfn, executionArn!, timeoutMs)), executionArn: executionArn! };
}

export function finished(sfn: SFNClient, executionArn: string, timeoutMs = 90_000): Promise<DescribeExecutionCommandOutput> {
  return eventually(async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, { timeoutMs });
}

export async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const all: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    all.push(...page.events!);
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

export const types = (events: HistoryEvent[]) => events.map((e) => e.type);
