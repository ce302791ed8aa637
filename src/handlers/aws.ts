/**
 * The ports (ports.ts) implemented with the AWS SDK. Deliberately thin: every decision lives in the
 * logic modules; this file only translates calls. It is exercised end-to-end against the local AWS.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Upload } from '@aws-sdk/lib-storage';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName, outcomeOf } from './delivery/outcome.js';
import type { DeliveryStarter, EventItem, EventStore, MetadataItem, MetadataStore, ObjectStore, ObjectWriter, Ports } from './ports.js';

export interface Tables {
  metadata: string;
  events: string;
}

export function awsPorts(s3: S3Client, dynamo: DynamoDBDocumentClient, tables: Tables, deliveries?: DeliveryStarter): Ports {
  return {
    objects: s3Objects(s3),
    metadata: dynamoMetadata(dynamo, tables.metadata),
    events: dynamoEvents(dynamo, tables.events),
    ...(deliveries && { deliveries }),
  };
}

/**
 * One execution per outcome, named after (key, version, status): starting it again is a no-op.
 * Step Functions answers a same-name start with the same input by returning the execution, and with
 * ExecutionAlreadyExists once it has closed (or the input differs): both mean "already started".
 */
export function sfnDeliveries(sfn: SFNClient, stateMachineArn: string): DeliveryStarter {
  return {
    async start(item) {
      const outcome = outcomeOf(item);
      const name = executionName(outcome);
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ outcome }) }));
        return { name, started: 'new' };
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return { name, started: 'existing' };
        throw error;
      }
    },
  };
}

export function s3Objects(s3: S3Client): ObjectStore {
  return {
    async read(ref, expect) {
      const versionId = expect?.versionId ?? ref.versionId;
      const out = await s3.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: versionId,
          // Without versioning, the ETag is what pins the exact object we wrote.
          IfMatch: versionId === undefined ? expect?.etag : undefined,
        }),
      );
      if (!out.Body) throw new Error(`S3 returned no body for ${ref.key}`);
      return out.Body as AsyncIterable<Uint8Array>;
    },
    create: (bucket, key, contentType) => uploadWriter(s3, bucket, key, contentType),
    async copy(from, toKey) {
      const source = `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`;
      const version = from.versionId === undefined ? '' : `?versionId=${encodeURIComponent(from.versionId)}`;
      await s3.send(new CopyObjectCommand({ Bucket: from.bucket, Key: toKey, CopySource: source + version }));
    },
  };
}

// Writes to the upload stream are coalesced: one stream write per line would dominate the CPU time.
const FLUSH_CHARS = 64 * 1024;

function uploadWriter(s3: S3Client, bucket: string, key: string, contentType: string): ObjectWriter {
  const body = new PassThrough();
  const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType } });
  const done = upload.done();
  // Failures surface through `done` in write/close/abort; these only keep them from being "unhandled".
  done.catch(() => {});
  body.on('error', () => {});
  let pending = '';
  let closed = false;

  const flush = async (text: string) => {
    // If the upload fails, 'drain' never comes: racing with `done` surfaces its error instead.
    if (!body.write(text)) await Promise.race([once(body, 'drain'), done]);
  };

  return {
    async write(text) {
      pending += text;
      if (pending.length < FLUSH_CHARS) return;
      const chunk = pending;
      pending = '';
      await flush(chunk);
    },
    async close() {
      if (pending) body.write(pending);
      body.end();
      const out = await done;
      closed = true;
      return {
        ...('VersionId' in out && out.VersionId !== undefined && { versionId: out.VersionId }),
        ...('ETag' in out && out.ETag !== undefined && { etag: out.ETag }),
      };
    },
    async abort() {
      if (closed) return; // already complete: there is nothing to take back
      // Failing the body (rather than upload.abort()) makes done() settle only after lib-storage
      // has sent AbortMultipartUpload, so no parts are left behind when we return.
      body.destroy(new Error('upload aborted'));
      await done.catch(() => {});
    },
  };
}

export function dynamoMetadata(dynamo: DynamoDBDocumentClient, table: string): MetadataStore {
  return {
    async get(filename, uploadTimestamp) {
      const out = await dynamo.send(
        new GetCommand({ TableName: table, Key: { filename, upload_timestamp: uploadTimestamp }, ConsistentRead: true }),
      );
      return out.Item as MetadataItem | undefined;
    },
    async put(item) {
      await dynamo.send(new PutCommand({ TableName: table, Item: item }));
    },
    async putProcessing(item) {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: item,
            // The same test as isSettled (ports.ts), in DynamoDB's words.
            ConditionExpression: 'attribute_not_exists(filename) OR processing_status = :processing OR redrivable = :yes',
            ExpressionAttributeValues: { ':processing': 'PROCESSING', ':yes': true },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}

export function dynamoEvents(dynamo: DynamoDBDocumentClient, table: string): EventStore {
  return {
    async writeBatch(items) {
      const out = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      const left = out.UnprocessedItems?.[table] ?? [];
      return left.flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item as EventItem] : []));
    },
  };
}
