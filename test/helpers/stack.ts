import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../src/infra/app.js';

export interface BuiltStack extends BuiltApp {
  readonly template: Template;
  readonly outDir: string;
}

/** Builds one environment's stack the way `tap synth` does (real bundle), in a fresh temp folder. */
export async function buildStack(envName: string, extra: Omit<Parameters<typeof buildApp>[0], 'envName' | 'outDir'> = {}): Promise<BuiltStack> {
  const outDir = mkdtempSync(join(tmpdir(), `tap-stack-${envName}-`));
  const built = await buildApp({ envName, outDir, ...extra });
  return { ...built, outDir, template: Template.fromStack(built.stack) };
}

/** All `Allow` statements of every IAM policy document in a template (inline role policies included). */
export function allowStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  const statements: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> = [];
  const collect = (doc: { Statement?: typeof statements } | undefined) => statements.push(...(doc?.Statement ?? []));
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) collect(policy.Properties.PolicyDocument);
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const p of role.Properties.Policies ?? []) collect(p.PolicyDocument);
  }
  return statements.filter((s) => s.Effect === 'Allow');
}
