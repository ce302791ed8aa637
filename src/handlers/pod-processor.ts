/**
 * Lambda entry point of the proof-of-delivery photo processor (the stack bundles this file, as it
 * bundles processor.ts). Clients are built on the first invocation, once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { awsPorts } from './aws.js';
import { ENV, POD_SERVICE_NAME, metricsNamespace } from './contract.js';
import { type PodDeps, createPodHandler } from './pod/app.js';

let deps: PodDeps | undefined;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function build(env: NodeJS.ProcessEnv): PodDeps {
  const environment = required(env, ENV.environment);
  const tables = { metadata: required(env, ENV.metadataTable), events: required(env, ENV.eventsTable) };
  const s3 = new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL']) });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    ports: {
      ...awsPorts(s3, dynamo, tables),
      async putBytes(bucket, key, body, contentType) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
      },
    },
    options: { environment },
    logger: new Logger({ serviceName: POD_SERVICE_NAME, persistentKeys: { environment } }),
    metrics: new Metrics({ namespace: metricsNamespace(environment), serviceName: POD_SERVICE_NAME }),
  };
}

export const handler = createPodHandler(() => (deps ??= build(process.env)));
