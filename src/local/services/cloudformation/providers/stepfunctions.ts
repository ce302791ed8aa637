/**
 * AWS::StepFunctions::StateMachine (Ref = the ARN; GetAtt Arn, Name, StateMachineRevisionId), through
 * the Step Functions service's own operations. The definition comes as CDK emits it —
 * `DefinitionString` (often an Fn::Join the engine has already resolved), `Definition` (an object),
 * or `DefinitionS3Location` — with `DefinitionSubstitutions` replacing `${key}` placeholders.
 * LoggingConfiguration and TracingConfiguration are accepted and stored.
 */
import type { S3Api } from '../../contracts.js';
import type { StepFunctionsService } from '../../stepfunctions/service.js';
import { type Props, type ProviderContext, type ResourceProvider } from './types.js';

const sfn = (ctx: ProviderContext) => ctx.local.service<StepFunctionsService>('states');

async function definitionOf(props: Props, ctx: ProviderContext): Promise<string> {
  let text: string;
  if (props.DefinitionString !== undefined) text = String(props.DefinitionString);
  else if (props.Definition !== undefined) text = JSON.stringify(props.Definition);
  else if (props.DefinitionS3Location) {
    const { Bucket, Key, Version } = props.DefinitionS3Location as Props;
    text = (await ctx.local.service<S3Api>('s3').getObjectBytes(String(Bucket), String(Key), Version ? String(Version) : undefined)).toString('utf8');
  } else {
    throw new Error('A state machine needs one of Definition, DefinitionString or DefinitionS3Location.');
  }
  for (const [key, value] of Object.entries((props.DefinitionSubstitutions ?? {}) as Props)) {
    text = text.split(`\${${key}}`).join(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return text;
}

/** CloudFormation's configuration shapes (PascalCase) as the API takes them (camelCase). */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(v)]));
}

const tags = (props: Props) => ((props.Tags ?? []) as Props[]).map((t) => ({ key: String(t.Key), value: String(t.Value) }));

export const stateMachine: ResourceProvider = {
  replaceOn: ['StateMachineName', 'StateMachineType'],
  nameProperty: 'StateMachineName',
  attributes: ['Arn', 'Name', 'StateMachineRevisionId'],
  async create(props, ctx) {
    const name = props.StateMachineName ?? ctx.physicalName({ maxLength: 80 });
    const created = await sfn(ctx).call('CreateStateMachine', ctx.region, {
      name,
      definition: await definitionOf(props, ctx),
      roleArn: props.RoleArn,
      type: props.StateMachineType ?? 'STANDARD',
      ...(props.LoggingConfiguration ? { loggingConfiguration: camel(props.LoggingConfiguration) } : {}),
      ...(props.TracingConfiguration ? { tracingConfiguration: camel(props.TracingConfiguration) } : {}),
      tags: tags(props),
    });
    const described = await sfn(ctx).call('DescribeStateMachine', ctx.region, { stateMachineArn: created.stateMachineArn });
    return { physicalId: created.stateMachineArn, attributes: { Arn: created.stateMachineArn, Name: name, StateMachineRevisionId: described.revisionId } };
  },
  async update(arn, props, _old, ctx) {
    const updated = await sfn(ctx).call('UpdateStateMachine', ctx.region, {
      stateMachineArn: arn,
      definition: await definitionOf(props, ctx),
      roleArn: props.RoleArn,
      loggingConfiguration: props.LoggingConfiguration ? camel(props.LoggingConfiguration) : { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: props.TracingConfiguration ? camel(props.TracingConfiguration) : { enabled: false },
    });
    return { physicalId: arn, attributes: { Arn: arn, Name: arn.split(':').pop(), StateMachineRevisionId: updated.revisionId } };
  },
  async delete(arn, _props, ctx) {
    await sfn(ctx).call('DeleteStateMachine', ctx.region, { stateMachineArn: arn });
  },
};
