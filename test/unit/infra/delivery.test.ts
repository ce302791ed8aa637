import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/infra/app.js';
import { allowStatements, buildStack, type BuiltStack } from '../../helpers/stack.js';

let dev: BuiltStack;
let hooked: Template;

const definitionOf = (template: Template) => {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const body = machine!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  // The definition with its ARNs as placeholders: enough to read states and numbers.
  return JSON.parse(body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'ARN')).join('')) as { States: Record<string, any> };
};

beforeAll(async () => {
  dev = await buildStack('dev');
  const built = await buildApp({ envName: 'hooks', outDir: mkdtempSync(join(tmpdir(), 'tap-stack-hooks-')), webhookUrl: 'https://p.example/h?a=1', deliveryAttempts: 4, deliveryIntervalSeconds: 2 });
  hooked = Template.fromStack(built.stack);
});

describe('result delivery in the stack', () => {
  it('a generated signing key in Secrets Manager, named tap/<env>/webhook', () => {
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'tap/dev/webhook',
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'signingKey', PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('the state machine tap-<env>-delivery: skips without a webhook, retries with back-off and full jitter from the settings, catches', () => {
    dev.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'tap-dev-delivery', TracingConfiguration: { Enabled: true } });
    const plain = definitionOf(dev.template);
    expect(plain.States['Webhook'].Result).toEqual({ url: '' });
    expect(plain.States['Webhook configured?'].Choices[0]).toMatchObject({ Variable: '$.webhook.url', StringEquals: '', Next: 'No webhook' });
    expect(plain.States['Deliver'].Retry[0]).toMatchObject({ ErrorEquals: expect.arrayContaining(['DeliveryFailed']), IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' });

    const withHook = definitionOf(hooked);
    expect(withHook.States['Webhook'].Result).toEqual({ url: 'https://p.example/h?a=1' });
    expect(withHook.States['Deliver'].Retry[0]).toMatchObject({ IntervalSeconds: 2, MaxAttempts: 3 });
    expect(withHook.States['Deliver'].Parameters.Payload).toMatchObject({ 'deliveryId.$': '$$.Execution.Name', maxAttempts: 4 });
    expect(withHook.States['Deliver'].Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Record failure' });
    expect(withHook.States['Record failure'].Next).toBe('Not delivered');
  });

  it('least privilege: only the notifier reads the secret, only the two that record outcomes start deliveries', () => {
    const statements = allowStatements(dev.template);
    const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(withAction('secretsmanager:GetSecretValue')).toHaveLength(1);
    const roles = dev.template.findResources('AWS::IAM::Role');
    const holder = (action: string, resource = '') =>
      Object.entries(roles)
        .filter(([, r]) => (r.Properties.Policies ?? []).some((p: any) => p.PolicyDocument.Statement.some((s: any) => [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes(resource))))
        .map(([, r]) => r.Properties.Description)
        .sort();
    expect(holder('secretsmanager:GetSecretValue')).toEqual(['tap dev: webhook notifier']);
    // The processor (small files) and the big-file Finish record outcomes, so they start deliveries.
    expect(holder('states:StartExecution', 'DeliveryStateMachine')).toEqual(['tap dev: big file finish', 'tap dev: shipment file processor']);
    expect(holder('states:StartExecution', 'BigFileStateMachine')).toEqual(['tap dev: shipment file processor']);
  });

  it('the processor knows the state machine; the notifier knows the secret by name', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tap-dev-processor', Environment: { Variables: Match.objectLike({ DELIVERY_STATE_MACHINE_ARN: Match.anyValue() }) } });
    dev.template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tap-dev-notifier', Environment: { Variables: Match.objectLike({ WEBHOOK_SECRET_ID: 'tap/dev/webhook' }) } });
  });
});
