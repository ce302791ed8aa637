/** Resource types with nothing to provision: CDK's metadata, wait condition handles. */
import { randomUUID } from 'node:crypto';
import type { ResourceProvider } from './types.js';

/** AWS::CDK::Metadata: CDK's usage report. Nothing to create; an id to show. */
export const cdkMetadata: ResourceProvider = {
  attributes: [],
  async create() {
    return { physicalId: randomUUID() };
  },
  async update(id) {
    return { physicalId: id };
  },
  async delete() {},
};

/**
 * AWS::CloudFormation::WaitConditionHandle: a presigned URL on AWS. Nothing here signals it, so it is
 * only an id (CDK uses handles as no-op placeholders).
 */
export const waitConditionHandle: ResourceProvider = {
  attributes: [],
  async create(_props, ctx) {
    return { physicalId: `${ctx.local.endpoint()}/_tap/cfn-wait/${encodeURIComponent(ctx.stackId)}/${ctx.logicalId}/${randomUUID()}` };
  },
  async delete() {},
};
