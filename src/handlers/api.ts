/**
 * The partner API's Lambda handler (bundled like the processor): clients made once per container,
 * configuration from the environment the stack sets, routes in api/router.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { route, type ApiDeps } from './api/router.js';
import { ENV, STATUS_INDEX } from './contract.js';

let deps: ApiDeps | undefined;

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`The API handler needs the environment variable ${name}; the stack sets it.`);
  return value;
}

function makeDeps(): ApiDeps {
  // A custom endpoint (the local AWS) serves buckets path-style only.
  const pathStyle = Boolean(process.env.AWS_ENDPOINT_URL);
  let docs: DynamoDBDocumentClient | undefined;
  let s3: S3Client | undefined;
  let sqs: SQSClient | undefined;
  let cloudwatch: CloudWatchClient | undefined;
  let sfn: SFNClient | undefined;
  return {
    docs: () => (docs ??= DynamoDBDocumentClient.from(new DynamoDBClient({}))),
    s3: () => (s3 ??= new S3Client({ forcePathStyle: pathStyle })),
    sqs: () => (sqs ??= new SQSClient({})),
    cloudwatch: async () => (cloudwatch ??= new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({})),
    sfn: async () => (sfn ??= new (await import('@aws-sdk/client-sfn')).SFNClient({})),
    config: {
      environment: need(ENV.environment),
      bucket: need(ENV.bucket),
      metadataTable: need(ENV.metadataTable),
      statusIndex: STATUS_INDEX,
      ingestQueueUrl: need(ENV.ingestQueueUrl),
      dlqUrl: need(ENV.dlqUrl),
      alarmPrefix: need(ENV.alarmPrefix),
    },
    // JSON log lines (the function's log format is JSON).
    log: (level, message, fields) => console[level === 'error' ? 'error' : 'info'](JSON.stringify({ level: level.toUpperCase(), message, ...fields })),
  };
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  deps ??= makeDeps();
  return route(event, deps);
}
