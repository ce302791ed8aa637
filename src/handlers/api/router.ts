/**
 * The partner API's routes over the Lambda proxy event. Everything a caller can get wrong answers 4xx
 * with `{ message }`; anything else is logged and answers 500 without internals.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bigFileProgress } from '../../shared/big-file-progress.js';
import { fileStatus } from '../../shared/file-status.js';
import { listFiles } from './files.js';
import { health } from './health.js';
import { HttpError, json } from './http.js';
import { fileKey, listQuery, uploadRequest } from './inputs.js';
import { uploadPermission } from './uploads.js';

export interface ApiDeps {
  docs(): DynamoDBDocumentClient;
  s3(): S3Client;
  sqs(): SQSClient;
  cloudwatch(): Promise<CloudWatchClient>;
  /** Step Functions: a PROCESSING big file's progress. */
  sfn(): Promise<SFNClient>;
  readonly config: {
    readonly environment: string;
    readonly bucket: string;
    readonly metadataTable: string;
    readonly statusIndex: string;
    readonly ingestQueueUrl: string;
    readonly dlqUrl: string;
    readonly alarmPrefix: string;
  };
  readonly log: (level: 'info' | 'error', message: string, fields: Record<string, unknown>) => void;
}

/** tap status --file's default: the same number of runs, so both answers are the same. */
const FILE_RUNS = 20;

export async function route(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const c = deps.config;
  try {
    const route = `${event.httpMethod} ${event.resource}`;
    switch (route) {
      case 'GET /status':
        return json(200, await health({ docs: deps.docs(), sqs: deps.sqs(), cloudwatch: await deps.cloudwatch(), ...c }));
      case 'GET /files':
        return json(200, await listFiles(deps.docs(), c.metadataTable, c.statusIndex, listQuery(event.queryStringParameters)));
      case 'GET /files/{key+}': {
        const key = fileKey(event.pathParameters?.key ?? '', 'The key');
        const sources = { docs: deps.docs(), s3: () => deps.s3(), sqs: deps.sqs(), bucket: c.bucket, metadataTable: c.metadataTable, dlqUrl: c.dlqUrl };
        const result = await fileStatus(sources, key, { limit: FILE_RUNS, progress: (arn) => progressOf(arn, deps) });
        return json(result.known ? 200 : 404, result);
      }
      case 'POST /files': {
        const upload = uploadRequest(event.body, event.isBase64Encoded);
        const permission = await uploadPermission(deps.s3(), c.bucket, upload);
        deps.log('info', 'upload permission issued', { key: upload.key, size: upload.size, caller: event.requestContext.identity?.userArn });
        return json(201, permission);
      }
      default:
        return json(404, { message: `No route ${event.httpMethod} ${event.path}. The API has GET /status, GET /files, GET /files/{key} and POST /files.` });
    }
  } catch (error) {
    if (error instanceof HttpError) return json(error.statusCode, { message: error.message, ...error.details });
    deps.log('error', 'request failed', { error: (error as Error).name, message: (error as Error).message, path: event.path });
    return json(500, { message: 'The API could not answer; the error is in its log group.', requestId: event.requestContext.requestId });
  }
}

/**
 * A big file's progress, as `tap status --file` shows it. The status answers without it when Step
 * Functions cannot (the execution expired from its history, a throttle): logged, not a 500.
 */
async function progressOf(executionArn: string, deps: ApiDeps) {
  try {
    return await bigFileProgress(await deps.sfn(), executionArn);
  } catch (error) {
    deps.log('error', 'big-file progress unavailable', { executionArn, error: (error as Error).name, message: (error as Error).message });
    return undefined;
  }
}
