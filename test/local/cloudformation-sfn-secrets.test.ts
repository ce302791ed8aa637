/**
 * A CDK app with a generated secret and state machines (LambdaInvoke with Retry and jitter,
 * DynamoPutItem; a second one from a string with DefinitionSubstitutions), synthesized unmodified and
 * deployed through the local CloudFormation (CreateStack), run, and deleted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnOutput, CliCredentialsStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnClient, createStack, deleteStack, output } from '../helpers/cloudformation.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { runToEnd } from '../helpers/sfn.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local?.stop());

function deliveryApp() {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'tap-cdk-sfn-')) });
  const stack = new Stack(app, 'Delivery', { synthesizer: new CliCredentialsStackSynthesizer() });
  const secret = new secretsmanager.Secret(stack, 'Webhook', {
    secretName: 'tap/dev/webhook',
    generateSecretString: { secretStringTemplate: JSON.stringify({ purpose: 'signing' }), generateStringKey: 'signingKey', passwordLength: 48, excludePunctuation: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const generated = new secretsmanager.Secret(stack, 'Plain', { generateSecretString: { passwordLength: 20, excludeCharacters: 'abc', includeSpace: false } });
  const table = new dynamodb.Table(stack, 'Deliveries', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
  const notifier = new lambda.Function(stack, 'Notifier', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => ({ status: 200, id: e.id });'),
  });
  const notify = new tasks.LambdaInvoke(stack, 'Notify', { lambdaFunction: notifier, resultSelector: { 'status.$': '$.Payload.status' }, resultPath: '$.delivery', retryOnServiceExceptions: true });
  notify.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL, maxDelay: Duration.seconds(5) });
  const record = new tasks.DynamoPutItem(stack, 'Record', {
    table,
    item: { id: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.id')), status: tasks.DynamoAttributeValue.fromNumber(sfn.JsonPath.numberAt('$.delivery.status')) },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const machine = new sfn.StateMachine(stack, 'Machine', {
    stateMachineName: 'tap-dev-delivery',
    definitionBody: sfn.DefinitionBody.fromChainable(notify.next(record).next(new sfn.Succeed(stack, 'Done'))),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.DESTROY }), level: sfn.LogLevel.ERROR },
  });
  const substituted = new sfn.StateMachine(stack, 'FromString', {
    definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({ StartAt: 'Get', States: { Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: '${TableName}', Key: { id: { 'S.$': '$.id' } } }, End: true } } })),
    definitionSubstitutions: { TableName: table.tableName },
  });
  table.grantReadData(substituted);
  new CfnOutput(stack, 'SecretArn', { value: secret.secretArn });
  new CfnOutput(stack, 'PlainArn', { value: generated.secretArn });
  new CfnOutput(stack, 'MachineArn', { value: machine.stateMachineArn });
  new CfnOutput(stack, 'MachineName', { value: machine.stateMachineName });
  new CfnOutput(stack, 'LookupArn', { value: substituted.stateMachineArn });
  new CfnOutput(stack, 'TableName', { value: table.tableName });
  return app.synth().getStackByName('Delivery');
}

describe('AWS::SecretsManager::Secret and AWS::StepFunctions::StateMachine on the local CloudFormation', () => {
  it('deploys the CDK template unchanged, generates the secret, runs the state machines, and deletes both', { timeout: 180_000 }, async () => {
    // arrange
    const artifact = deliveryApp();
    const template = artifact.template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const machineProps = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName)!.Properties;
    expect(machineProps.DefinitionString).toHaveProperty(['Fn::Join']);
    const cfn = cfnClient(local.clientConfig);

    // act
    const stack = await createStack(cfn, 'Delivery', artifact.template);

    // assert: the secret
    const sm = new SecretsManagerClient(local.clientConfig);
    const secretArn = output(stack, 'SecretArn')!;
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:tap\/dev\/webhook-[A-Za-z0-9]{6}$/);
    const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'tap/dev/webhook' }))).SecretString!);
    expect(value.purpose).toBe('signing');
    expect(value.signingKey).toMatch(/^[A-Za-z0-9]{48}$/);
    const plain = (await sm.send(new GetSecretValueCommand({ SecretId: output(stack, 'PlainArn') }))).SecretString!;
    expect(plain).toHaveLength(20);
    expect(plain).not.toMatch(/[abc]/);

    // assert: the state machines run
    const states = new SFNClient(local.clientConfig);
    const machineArn = output(stack, 'MachineArn')!;
    expect(machineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:tap-dev-delivery');
    expect(output(stack, 'MachineName')).toBe('tap-dev-delivery');
    expect((await states.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }))).tracingConfiguration).toEqual({ enabled: true });
    const delivered = await runToEnd(states, machineArn, { id: 'f-1' });
    expect(delivered.status, `${delivered.error}: ${delivered.cause}`).toBe('SUCCEEDED');
    const ddb = new DynamoDBClient(local.clientConfig);
    expect((await ddb.send(new GetItemCommand({ TableName: output(stack, 'TableName'), Key: { id: { S: 'f-1' } } }))).Item).toEqual({ id: { S: 'f-1' }, status: { N: '200' } });
    const lookup = await runToEnd(states, output(stack, 'LookupArn')!, { id: 'f-1' });
    expect(lookup.status, `${lookup.error}: ${lookup.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(lookup.output!).Item).toEqual({ id: { S: 'f-1' }, status: { N: '200' } });

    // act + assert: delete
    await deleteStack(cfn, 'Delivery');
    await expect(sm.send(new DescribeSecretCommand({ SecretId: secretArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(states.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
