/**
 * Lambda entry points of the big-file state machine (src/infra/big-file.ts): `prepare`, `batch` and
 * `finish`, three functions with one bundle. Clients are built once per container, on first use.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { dynamoEvents, dynamoMetadata, s3Objects, sfnDeliveries } from './aws.js';
import { sfnMapRuns, sqsDeadLetters } from './big-file/aws.js';
import { type RecordBatch, writeRecordBatch } from './big-file/batch.js';
import { type FinishInput, finish as finishFile } from './big-file/finish.js';
import { prepare as prepareFile } from './big-file/prepare.js';
import type { BigFileInput } from './big-file/route.js';
import { documentClient, required, s3Client } from './clients.js';
import { ENV, SERVICE_NAME, metricsNamespace } from './contract.js';
import type { EventSource } from './events.js';
import { recordMetrics } from './file-metrics.js';

const env = process.env;
let logger: Logger | undefined;
const log = (context: Context, file: { bucket: string; key: string; versionId?: string }) => {
  logger ??= new Logger({ serviceName: SERVICE_NAME, persistentKeys: { environment: required(env, ENV.environment) } });
  logger.addContext(context);
  // The same keys as the processor's lines, so `tap logs --file` finds these too.
  logger.appendKeys({ s3_bucket: file.bucket, s3_key: file.key, s3_version: file.versionId });
  return logger;
};

export async function prepare(event: BigFileInput, context: Context) {
  const logger = log(context, event.file);
  logger.info('big file: reading and validating (pass 1)', { message_id: event.messageId, file_size: event.file.size });
  const prepared = await prepareFile(event, { objects: s3Objects(s3Client(env)) }, required(env, ENV.environment));
  logger.info('big file: pass 1 done', { ...prepared.result, write_records: prepared.writeRecords });
  return prepared;
}

let batchEvents: ReturnType<typeof dynamoEvents> | undefined;

export async function batch(event: RecordBatch, context: Context) {
  const source: Partial<EventSource> = event?.BatchInput?.source ?? {};
  const logger = log(context, { bucket: String(source.bucket), key: String(source.key), ...(source.versionId && { versionId: source.versionId }) });
  batchEvents ??= dynamoEvents(documentClient(), required(env, ENV.eventsTable));
  const records = Array.isArray(event?.Items) ? event.Items : [];
  const first = records[0]?.record_number;
  try {
    const out = await writeRecordBatch(event, batchEvents);
    logger.info('big file: batch written', { records: out.written, first_record: first });
    return out;
  } catch (error) {
    logger.error('big file: batch failed; the map retries it', { records: records.length, first_record: first, error });
    throw error;
  }
}

let finishDeps: Omit<Parameters<typeof finishFile>[1], 'now'> & { deliveries?: ReturnType<typeof sfnDeliveries>; metrics: Metrics } | undefined;

/** Finish's payload: the state machine's state, and the execution's start and id (src/infra/big-file.ts). */
export interface FinishEvent {
  state: Omit<FinishInput, 'startedAt' | 'executionArn'>;
  startedAt: string;
  executionArn: string;
}

export async function finish(payload: FinishEvent, context: Context) {
  const event: FinishInput = { ...payload.state, startedAt: payload.startedAt, executionArn: payload.executionArn };
  const logger = log(context, event.file);
  const environment = required(env, ENV.environment);
  if (!finishDeps) {
    const sfn = new SFNClient({});
    const delivery = env[ENV.deliveryStateMachine];
    finishDeps = {
      metadata: dynamoMetadata(documentClient(), required(env, ENV.metadataTable)),
      mapRuns: sfnMapRuns(sfn),
      deadLetters: sqsDeadLetters(new SQSClient({}), required(env, ENV.deadLetterQueueUrl)),
      environment,
      metrics: new Metrics({ namespace: metricsNamespace(environment), serviceName: SERVICE_NAME }),
      ...(delivery && { deliveries: sfnDeliveries(sfn, delivery) }),
    };
  }
  const item = await finishFile(event, finishDeps);
  recordMetrics(finishDeps.metrics, item);
  finishDeps.metrics.publishStoredMetrics();
  const summary = { message_id: event.messageId, ...item };
  if (item.processing_status === 'SUCCESS') logger.info('file processed', summary);
  else logger.error(item.redrivable ? 'big file failed; sent to the dead-letter queue' : 'file failed', summary);
  if (finishDeps.deliveries) {
    const delivery = await finishDeps.deliveries.start(item);
    logger.info(delivery.started === 'new' ? 'delivery started' : 'delivery already started', { execution_name: delivery.name });
  }
  return { status: item.processing_status, records_processed: item.records_processed, records_rejected: item.records_rejected };
}
