import { describe, expect, it } from 'vitest';
import { destructiveChanges } from '../../../src/ops/changeset.js';
import { codeOnlyChanges } from '../../../src/ops/hotswap.js';

const fn = (key: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Code: { S3Bucket: { 'Fn::Sub': 'tap-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: key }, Timeout: 120, ...extra },
});
const queue = { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 720 } };
const template = (resources: Record<string, unknown>, outputs = {}) => ({ Resources: resources, Outputs: outputs });

describe('hotswap detection', () => {
  it('finds a code-only change', () => {
    expect(codeOnlyChanges(template({ Fn: fn('a.zip'), Q: queue }), template({ Fn: fn('b.zip'), Q: queue }))).toEqual([
      { logicalId: 'Fn', s3Key: 'b.zip' },
    ]);
  });

  it.each([
    ['another property of the function changed', template({ Fn: fn('b.zip', { Timeout: 60 }), Q: queue })],
    ['another resource changed', template({ Fn: fn('b.zip'), Q: { ...queue, Properties: { VisibilityTimeout: 30 } } })],
    ['a resource was added', template({ Fn: fn('b.zip'), Q: queue, Q2: queue })],
    ['an output changed', template({ Fn: fn('b.zip'), Q: queue }, { X: { Value: 1 } })],
  ])('says no when %s', (_why, next) => {
    expect(codeOnlyChanges(template({ Fn: fn('a.zip'), Q: queue }), next)).toBeUndefined();
  });

  it('says no when nothing changed (a full deploy will find no changes)', () => {
    expect(codeOnlyChanges(template({ Fn: fn('a.zip') }), template({ Fn: fn('a.zip') }))).toBeUndefined();
  });
});

describe('changes that need consent', () => {
  it('are replacements or removals of buckets and tables, not in-place updates or other types', () => {
    const changes = [
      { action: 'Modify', logicalId: 'Bucket', type: 'AWS::S3::Bucket', replacement: 'False' },
      { action: 'Modify', logicalId: 'Table', type: 'AWS::DynamoDB::Table', replacement: 'True' },
      { action: 'Modify', logicalId: 'Events', type: 'AWS::DynamoDB::Table', replacement: 'Conditional' },
      { action: 'Remove', logicalId: 'Old', type: 'AWS::S3::Bucket' },
      { action: 'Remove', logicalId: 'Queue', type: 'AWS::SQS::Queue' },
      { action: 'Add', logicalId: 'New', type: 'AWS::S3::Bucket' },
    ];
    expect(destructiveChanges(changes).map((c) => c.logicalId)).toEqual(['Table', 'Events', 'Old']);
  });
});
