/**
 * Lambda entry point (the stack bundles this file; export `handler`). Builds the AWS clients and
 * Powertools utilities once per container, on the first invocation rather than at import, so that a
 * missing variable is reported by the invocation that needs it and importing the bundle is side-effect free.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type AppDeps, createHandler } from './app.js';
import { awsPorts, sfnDeliveries } from './aws.js';
import { sfnBigFiles } from './big-file/aws.js';
import { documentClient, required, s3Client } from './clients.js';
import { ENV, SERVICE_NAME, metricsNamespace } from './contract.js';

let deps: AppDeps | undefined;

function build(env: NodeJS.ProcessEnv): AppDeps {
  const environment = required(env, ENV.environment);
  const tables = { metadata: required(env, ENV.metadataTable), events: required(env, ENV.eventsTable) };
  const ports = awsPorts(s3Client(env), documentClient(), tables, deliveries(env));
  return {
    ports,
    options: { environment },
    ...bigFiles(env),
    logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { environment } }),
    metrics: new Metrics({ namespace: metricsNamespace(environment), serviceName: SERVICE_NAME }),
  };
}

/** The delivery state machine, when the stack has one. */
function deliveries(env: NodeJS.ProcessEnv) {
  const arn = env[ENV.deliveryStateMachine];
  return arn ? sfnDeliveries(new SFNClient({}), arn) : undefined;
}

/** The big-file state machine and the threshold above which files go to it, when the stack has one. */
function bigFiles(env: NodeJS.ProcessEnv): Pick<AppDeps, 'bigFiles'> {
  const arn = env[ENV.bigFileStateMachine];
  if (!arn) return {};
  const threshold = Number(required(env, ENV.bigFileThreshold));
  if (!Number.isSafeInteger(threshold) || threshold < 0) throw new Error(`${ENV.bigFileThreshold} is not a byte count: ${env[ENV.bigFileThreshold]}`);
  return { bigFiles: { starter: sfnBigFiles(new SFNClient({}), arn), thresholdBytes: threshold } };
}

export const handler = createHandler(() => (deps ??= build(process.env)));
