/**
 * The deploy's decisions, step by step, without AWS: the fingerprint fast path, what the stack's state
 * allows, and when a change set needs a yes. (test/e2e/deploy, interrupt and guards run them for real.)
 */
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_OUTPUT, stackTags } from '../../../src/infra/environment.js';
import { checkState, consentReason, type DeployRun, fingerprintMatches } from '../../../src/ops/deploy-steps.js';
import { UserError } from '../../../src/ops/errors.js';
import type { ProgressEvent } from '../../../src/ops/reporter.js';
import type { StackState } from '../../../src/ops/stack-state.js';

const stack = (over: Partial<StackState> = {}): StackState => ({
  name: 'TapStack-dev',
  id: 'arn:stack/TapStack-dev/1',
  status: 'UPDATE_COMPLETE',
  outputs: { [FINGERPRINT_OUTPUT]: 'print-1' },
  parameters: {},
  tags: stackTags('dev'),
  ...over,
});

/** A run as readStack leaves it, for a stack in `existing`; events are recorded. */
function run(existing: StackState | undefined, over: Partial<DeployRun> = {}): DeployRun & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    clients: { target: { description: 'local', region: 'us-east-1', kind: 'local' } } as never,
    options: { env: 'dev', outDir: 'cdk.out', stateDir: '.tap', yes: false, hotswap: false, confirm: async () => false },
    reporter: { emit: (e) => void events.push(e) },
    cfn: {} as never,
    stackName: 'TapStack-dev',
    started: 0,
    existing,
    settings: {},
    resolved: { settings: {}, reused: [], changed: [] },
    guarded: false,
    tags: stackTags('dev'),
    fingerprint: 'print-1',
    assets: { uploaded: 0, skipped: 0 },
    events,
    ...over,
  };
}

describe('fingerprintMatches (no synthesis when nothing changed)', () => {
  it('matches a settled stack with the same fingerprint and tags, and says so', () => {
    const r = run(stack());
    expect(fingerprintMatches(r)).toBe(true);
    expect(r.events).toEqual([expect.objectContaining({ type: 'info', code: 'TAP_DEPLOY_UNCHANGED' })]);
  });

  it.each([
    ['no stack', undefined],
    ['another fingerprint', stack({ outputs: { [FINGERPRINT_OUTPUT]: 'print-0' } })],
    ['other tags (a setting changed)', stack({ tags: { ...stackTags('dev'), AlarmEmail: 'a@b.c' } })],
    ['a stack still updating', stack({ status: 'UPDATE_IN_PROGRESS' })],
    ['a failed stack', stack({ status: 'UPDATE_ROLLBACK_FAILED' })],
    ['an unexecuted CREATE change set', stack({ status: 'REVIEW_IN_PROGRESS' })],
  ])('does not match: %s', (_what, existing) => {
    const r = run(existing);
    expect(fingerprintMatches(r)).toBe(false);
    expect(r.events).toEqual([]);
  });
});

describe('checkState (what the stack allows)', () => {
  it('a new stack, or an empty REVIEW_IN_PROGRESS shell, is created', async () => {
    expect(await checkState(run(undefined))).toBeUndefined();
    expect(await checkState(run(stack({ status: 'REVIEW_IN_PROGRESS' })))).toBeUndefined();
  });

  it('a settled stack is updated', async () => {
    const existing = stack();
    expect(await checkState(run(existing))).toBe(existing);
  });

  it('a busy stack is refused with what to do', async () => {
    const error = await checkState(run(stack({ status: 'UPDATE_IN_PROGRESS' }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/is busy \(UPDATE_IN_PROGRESS\).*run tap deploy again/);
  });
});

describe('consentReason (when a change set needs a yes)', () => {
  const bucketReplaced = { action: 'Modify', logicalId: 'Uploads', type: 'AWS::S3::Bucket', replacement: 'True' };
  const codeChanged = { action: 'Modify', logicalId: 'Fn', type: 'AWS::Lambda::Function', replacement: 'False' };

  it('none for a harmless change outside a protected environment, or with --yes', () => {
    expect(consentReason('dev', false, false, [codeChanged])).toBeUndefined();
    expect(consentReason('prod', true, true, [bucketReplaced])).toBeUndefined();
  });

  it('names the data a change replaces or removes', () => {
    expect(consentReason('dev', false, false, [codeChanged, bucketReplaced])).toBe('This deploy replaces or removes data: Uploads (AWS::S3::Bucket, Modify).');
  });

  it('names the protected environment', () => {
    expect(consentReason('prod', true, false, [codeChanged])).toBe('This deploys to prod.');
  });
});
