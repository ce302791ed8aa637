/**
 * AWS::DynamoDB::Table. Ref = table name; GetAtt Arn, StreamArn. dynalite keeps the table and its
 * indexes; what it has no notion of (PITR, TTL, streams, SSE, deletion protection) is kept in the
 * resource's properties, and deletion protection is enforced here: deleting a protected table fails
 * the resource, as on AWS. Like CloudFormation, a create or update is complete once the table is
 * ACTIVE, and a delete once the table is gone (dynalite finishes both a moment after answering; a
 * stack created again at once would otherwise find its table's name still taken).
 */
import { AwsError } from '../../../errors.js';
import { dynamodb } from './inprocess.js';
import { bool, isNotFound, type Props, type ProviderContext, type ResourceProvider } from './types.js';

const tableArn = (ctx: ProviderContext, name: string) => `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;

function attributes(ctx: ProviderContext, name: string, props: Props, streamLabel?: unknown): Record<string, unknown> {
  const arn = tableArn(ctx, name);
  const label = typeof streamLabel === 'string' ? streamLabel : new Date().toISOString().replace('Z', '');
  return { Arn: arn, ...(props.StreamSpecification ? { StreamArn: `${arn}/stream/${label}` } : {}) };
}

function createInput(name: string, props: Props): Record<string, unknown> {
  const billing = props.BillingMode ?? 'PROVISIONED';
  const throughput = (t: Props | undefined) =>
    billing === 'PROVISIONED' ? { ProvisionedThroughput: { ReadCapacityUnits: Number(t?.ReadCapacityUnits ?? 5), WriteCapacityUnits: Number(t?.WriteCapacityUnits ?? 5) } } : {};
  return {
    TableName: name,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    BillingMode: billing,
    ...throughput(props.ProvisionedThroughput),
    ...(props.GlobalSecondaryIndexes?.length
      ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map((g: Props) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, ...throughput(g.ProvisionedThroughput) })) }
      : {}),
    ...(props.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes } : {}),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** dynalite settles within milliseconds; a table still changing after this is a fault worth naming. */
const SETTLE_MS = 30_000;

/** Waits until DescribeTable says ACTIVE (`gone`: until it says the table does not exist). */
async function settled(ctx: ProviderContext, name: string, gone = false): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    try {
      const { Table } = await dynamodb(ctx.local, ctx.region, 'DescribeTable', { TableName: name });
      if (!gone && Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (gone && isNotFound(error)) return;
      throw error;
    }
    if (Date.now() > deadline) throw new AwsError('InternalFailure', `Table ${name} did not become ${gone ? 'deleted' : 'ACTIVE'} within ${SETTLE_MS / 1000} s.`);
    await sleep(1);
  }
}

const indexNames = (props: Props) => ((props.GlobalSecondaryIndexes ?? []) as Props[]).map((g) => String(g.IndexName)).sort().join(',');

export const table: ResourceProvider = {
  replaceOn: ['TableName', 'KeySchema', 'LocalSecondaryIndexes', 'ImportSourceSpecification'],
  mayReplaceOn: ['AttributeDefinitions'],
  nameProperty: 'TableName',
  attributes: ['Arn', 'StreamArn'],
  needsReplacement(_changed, props, old) {
    // Adding definitions (for a new index) is in place; changing a key attribute's type is not.
    const type = (p: Props, n: string) => (p.AttributeDefinitions as Props[] | undefined)?.find((a) => a.AttributeName === n)?.AttributeType;
    return ((old.KeySchema ?? []) as Props[]).some((k) => type(old, k.AttributeName) !== type(props, k.AttributeName));
  },
  async create(props, ctx) {
    const name = props.TableName ?? ctx.physicalName({ maxLength: 255 });
    await dynamodb(ctx.local, ctx.region, 'CreateTable', createInput(name, props));
    await settled(ctx, name);
    if (props.Tags?.length) {
      await dynamodb(ctx.local, ctx.region, 'TagResource', { ResourceArn: tableArn(ctx, name), Tags: props.Tags });
    }
    return { physicalId: name, attributes: attributes(ctx, name, props) };
  },
  async update(name, props, old, ctx) {
    if (indexNames(props) !== indexNames(old.properties)) {
      throw new AwsError('ValidationException', 'tap local (dynalite) cannot add or remove global secondary indexes of an existing table; rename the table to replace it.');
    }
    const billing = props.BillingMode ?? 'PROVISIONED';
    if (billing !== (old.properties.BillingMode ?? 'PROVISIONED') || JSON.stringify(props.ProvisionedThroughput) !== JSON.stringify(old.properties.ProvisionedThroughput)) {
      const input = createInput(name, props);
      await dynamodb(ctx.local, ctx.region, 'UpdateTable', { TableName: name, BillingMode: billing, ...(input.ProvisionedThroughput ? { ProvisionedThroughput: input.ProvisionedThroughput } : {}) });
      await settled(ctx, name);
    }
    if (JSON.stringify(props.Tags ?? []) !== JSON.stringify(old.properties.Tags ?? [])) {
      const arn = tableArn(ctx, name);
      const removed = ((old.properties.Tags ?? []) as Props[]).map((t) => t.Key).filter((k) => !((props.Tags ?? []) as Props[]).some((t) => t.Key === k));
      if (removed.length) await dynamodb(ctx.local, ctx.region, 'UntagResource', { ResourceArn: arn, TagKeys: removed });
      if (props.Tags?.length) await dynamodb(ctx.local, ctx.region, 'TagResource', { ResourceArn: arn, Tags: props.Tags });
    }
    const previousLabel = typeof old.attributes.StreamArn === 'string' ? old.attributes.StreamArn.split('/stream/')[1] : undefined;
    return { physicalId: name, attributes: attributes(ctx, name, props, props.StreamSpecification && old.properties.StreamSpecification ? previousLabel : undefined) };
  },
  async delete(name, props, ctx) {
    if (bool(props.DeletionProtectionEnabled)) {
      throw new AwsError('ValidationException', 'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
    }
    try {
      await dynamodb(ctx.local, ctx.region, 'DeleteTable', { TableName: name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await settled(ctx, name, true);
  },
};
