/**
 * The AWS SDK packages the CLI uses, loaded with require(). They are CommonJS: an ES `import()` of
 * one makes Node lex its source for export names and send each of its own require() calls through
 * the ES module loader, which about doubles the CPU time of loading a client (bench/status.ts).
 * Handlers and src/shared keep `import()`: esbuild bundles the SDK into the Lambda code from it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const sdk = {
  cloudformation: () => require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation'),
  logs: () => require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs'),
  credentialProviders: () => require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers'),
  dynamodb: () => require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb'),
  documents: () => require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb'),
  lambda: () => require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda'),
  s3: () => require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'),
  sqs: () => require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs'),
  sts: () => require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts'),
  sfn: () => require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn'),
  secretsManager: () => require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager'),
};
