import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT } from '../../../src/handlers/contract.js';
import type { Clients } from '../../../src/ops/clients.js';
import { saveDeployed } from '../../../src/ops/deploy-state.js';
import { UserError } from '../../../src/ops/errors.js';
import { resolvePipeline } from '../../../src/ops/pipeline.js';
import type { ProgressEvent } from '../../../src/ops/reporter.js';
import type { Target } from '../../../src/ops/target.js';

const target: Target = { kind: 'endpoint', region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, description: 'http://127.0.0.1:4566 (us-east-1)' };

const outputs: Record<string, string> = {
  [OUTPUT.bucket]: 'tap-dev-uploads',
  [OUTPUT.queueUrl]: 'http://q/ingest',
  [OUTPUT.queueArn]: 'arn:aws:sqs:us-east-1:000000000000:ingest',
  [OUTPUT.dlqUrl]: 'http://q/dlq',
  [OUTPUT.dlqArn]: 'arn:aws:sqs:us-east-1:000000000000:dlq',
  [OUTPUT.metadataTable]: 'tap-dev-metadata',
  [OUTPUT.logGroup]: '/aws/lambda/tap-dev-processor',
};

/** Clients whose CloudFormation answers DescribeStacks with `answer` (a value, or an error to throw). */
function clientsAnswering(answer: unknown): Clients {
  const cloudformation = {
    send: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { target, cloudformation: async () => cloudformation } as unknown as Clients;
}

const stack = (o: Record<string, string>, status = 'CREATE_COMPLETE') => ({
  Stacks: [{ StackName: 'TapStack-dev', StackId: 'id', StackStatus: status, Outputs: Object.entries(o).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
});
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

function recorder() {
  const events: ProgressEvent[] = [];
  return { events, reporter: { emit: (e: ProgressEvent) => void events.push(e) } };
}

describe('finding the pipeline of an environment', () => {
  it('reads the outputs from the stack', async () => {
    const pipeline = await resolvePipeline(clientsAnswering(stack(outputs)), { env: 'dev', stateDir: mkdtempSync(join(tmpdir(), 'tap-state-')) }, recorder().reporter);
    expect(pipeline).toMatchObject({ bucket: 'tap-dev-uploads', dlqUrl: 'http://q/dlq', statusIndex: 'by-status', source: 'stack', stackName: 'TapStack-dev' });
  });

  it('says the stack is not deployed, and how to deploy it', async () => {
    const missing = named('ValidationError', 'Stack with id TapStack-dev does not exist');
    await expect(resolvePipeline(clientsAnswering(missing), { env: 'dev', stateDir: mkdtempSync(join(tmpdir(), 'tap-state-')) }, recorder().reporter)).rejects.toThrow(
      'TapStack-dev is not deployed; run tap deploy --env dev',
    );
  });

  it('a stack whose creation failed is not deployed', async () => {
    await expect(resolvePipeline(clientsAnswering(stack({}, 'ROLLBACK_COMPLETE')), { env: 'dev', stateDir: tmpdir() }, recorder().reporter)).rejects.toThrow(
      'TapStack-dev is not deployed: its creation failed (ROLLBACK_COMPLETE); run tap deploy --env dev',
    );
  });

  it('falls back to the saved outputs when CloudFormation cannot answer, and says so', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tap-state-'));
    saveDeployed(stateDir, { env: 'dev', stackName: 'TapStack-dev', region: 'us-east-1', target: 'endpoint', endpoint: 'http://127.0.0.1:4566', outputs, deployedAt: '2026-01-05T10:00:00Z' });
    const { events, reporter } = recorder();
    const pipeline = await resolvePipeline(clientsAnswering(named('NotImplemented', 'tap local does not implement cloudformation')), { env: 'dev', stateDir }, reporter);
    expect(pipeline.source).toBe('file');
    expect(events.some((e) => e.type === 'warn' && /using the outputs saved/.test(e.message))).toBe(true);
  });

  it('does not use outputs saved for another target', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tap-state-'));
    saveDeployed(stateDir, { env: 'dev', stackName: 'TapStack-dev', region: 'eu-west-1', target: 'aws', outputs, deployedAt: '2026-01-05T10:00:00Z' });
    const error = await resolvePipeline(clientsAnswering(named('NotImplemented', 'no')), { env: 'dev', stateDir }, recorder().reporter).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/Cannot find TapStack-dev.*run tap deploy --env dev/s);
  });

  it('does not hide bad credentials behind the saved file', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tap-state-'));
    saveDeployed(stateDir, { env: 'dev', stackName: 'TapStack-dev', region: 'us-east-1', target: 'endpoint', endpoint: 'http://127.0.0.1:4566', outputs, deployedAt: 'x' });
    await expect(resolvePipeline(clientsAnswering(named('ExpiredToken', 'expired')), { env: 'dev', stateDir }, recorder().reporter)).rejects.toThrow(/rejected the credentials/);
  });

  it('names a missing output and how to fix it', async () => {
    const { [OUTPUT.logGroup]: _, ...older } = outputs;
    await expect(resolvePipeline(clientsAnswering(stack(older)), { env: 'dev', stateDir: tmpdir() }, recorder().reporter)).rejects.toThrow(
      /has no output ProcessorLogGroupName.*tap deploy --env dev/,
    );
  });
});
