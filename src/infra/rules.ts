import type { Stack } from 'aws-cdk-lib/core';

export interface RuleFinding {
  readonly rule: string;
  readonly severity: string;
  /** Construct path of the resource that breaks the rule. */
  readonly resource: string;
  readonly description: string;
}

/**
 * Runs cdk-nag's AwsSolutions and Serverless packs over a stack and returns what is not acknowledged
 * (see nag-suppressions.ts). cdk-nag loads only when asked for.
 */
export async function checkSecurityRules(stack: Stack): Promise<RuleFinding[]> {
  const { AwsSolutionsChecks, ServerlessChecks } = await import('cdk-nag');
  const findings: RuleFinding[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    for (const violation of pack.validateScope(stack).violations) {
      for (const resource of violation.violatingResources) {
        findings.push({
          rule: violation.ruleName,
          severity: violation.severity ?? 'error',
          resource: resource.constructPath ?? resource.resourceLogicalId ?? '?',
          description: violation.description,
        });
      }
    }
  }
  return findings;
}
