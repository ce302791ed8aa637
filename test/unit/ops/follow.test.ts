import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { followStack } from '../../../src/ops/follow.js';
import { silentReporter } from '../../../src/ops/reporter.js';

/** A stack whose operation never ends: one event, in progress, answered to every DescribeStackEvents. */
function stuckStack(): { cfn: CloudFormationClient; calls: () => number } {
  let calls = 0;
  const event = { EventId: 'e1', LogicalResourceId: 'S', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS' };
  // A real client (the SDK's paginator checks), answering without a network.
  const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  cfn.send = (async () => {
    calls++;
    return { StackEvents: [event] };
  }) as never;
  return { cfn, calls: () => calls };
}

describe('followStack gives up when told to', () => {
  it('stops at its deadline, saying the stack is still in progress', async () => {
    const { cfn } = stuckStack();
    const result = await followStack(cfn, { name: 'S' }, undefined, 1, silentReporter, { maxWaitMs: 300 });
    expect(result).toMatchObject({ status: 'STILL_IN_PROGRESS', ok: false });
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('stops soon after the signal fires, and polls no more', async () => {
    const { cfn, calls } = stuckStack();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await followStack(cfn, { name: 'S' }, undefined, 1, silentReporter, { signal: controller.signal });
    expect(result.status).toBe('STOPPED_FOLLOWING');
    const after = calls();
    await new Promise((r) => setTimeout(r, 600));
    expect(calls()).toBe(after);
  });
});
