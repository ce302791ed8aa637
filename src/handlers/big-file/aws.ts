/** The big-file path's ports (route.ts, finish.ts) with the AWS SDK. Thin: translation only. */
import { DescribeMapRunCommand, ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FinishDeps } from './finish.js';
import type { BigFileStarter } from './route.js';

export function sfnBigFiles(sfn: SFNClient, stateMachineArn: string): BigFileStarter {
  return {
    async start(name, input) {
      try {
        const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return { executionArn: out.executionArn!, started: 'new' };
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists')) throw error;
        return { executionArn: executionArnOf(stateMachineArn, name), started: 'existing' };
      }
    },
  };
}

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name>. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export function sfnMapRuns(sfn: SFNClient): FinishDeps['mapRuns'] {
  return {
    async counts(mapRunArn) {
      const out = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
      return { failedItems: (out.itemCounts?.failed ?? 0) + (out.itemCounts?.timedOut ?? 0) + (out.itemCounts?.aborted ?? 0) };
    },
  };
}

export function sqsDeadLetters(sqs: SQSClient, queueUrl: string): FinishDeps['deadLetters'] {
  return {
    async send(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
