/**
 * Lambda entry point (the stack bundles this file; export `handler`). Builds the AWS clients and
 * Powertools utilities once per container, on the first invocation rather than at import, so that a
 * missing variable is reported by the invocation that needs it and importing the bundle is side-effect free.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type AppDeps, createHandler } from './app.js';
import { awsPorts, sfnDeliveries } from './aws.js';
import { ENV, SERVICE_NAME, metricsNamespace } from './contract.js';

let deps: AppDeps | undefined;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function build(env: NodeJS.ProcessEnv): AppDeps {
  const environment = required(env, ENV.environment);
  const tables = { metadata: required(env, ENV.metadataTable), events: required(env, ENV.eventsTable) };
  // The SDK reads AWS_ENDPOINT_URL[_S3] itself; a custom endpoint (the local AWS) needs path-style.
  const s3 = new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL']) });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    // Record fields are stored as they came; a large integer already lost precision in JSON parsing.
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  });
  return {
    ports: awsPorts(s3, dynamo, tables, deliveries(env)),
    options: { environment },
    logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { environment } }),
    metrics: new Metrics({ namespace: metricsNamespace(environment), serviceName: SERVICE_NAME }),
  };
}

/** The delivery state machine, when the stack has one. */
function deliveries(env: NodeJS.ProcessEnv) {
  const arn = env[ENV.deliveryStateMachine];
  return arn ? sfnDeliveries(new SFNClient({}), arn) : undefined;
}

export const handler = createHandler(() => (deps ??= build(process.env)));
