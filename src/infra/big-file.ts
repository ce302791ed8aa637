/**
 * The big-file path: a Standard state machine the processor hands files above the threshold to.
 *
 *   Prepare (Lambda) → Records to write? → WriteEvents (distributed map of Batch) → Finish (Lambda)
 *
 * Prepare runs the small path's pass 1 — the same code — streaming the file into processed/<key>.ndjson
 * and rejected/<key>.errors.ndjson (or the same FAILED outcome and quarantine). The map then reads
 * processed/ natively (ItemReader s3:getObject, JSONL, pinned to the version Prepare wrote) and
 * parallelizes what is expensive: the DynamoDB writes, in batches, by the Batch function. Finish
 * writes the metadata row as the small path does.
 *
 * Why not point the ItemReader at the uploaded file (AWS reads JSON Lines and CSV natively)? Because
 * both paths must give the same result for the same file: a raw line that is not JSON is a reject with
 * its line number in our contract but a failed map run in AWS's reader, CSV quirks (quotes, a BOM,
 * ragged rows) are decided by our parser, JSON arrays and log lines need pass 1 anyway, and record
 * numbers and all-or-nothing for a file malformed half-way come from pass 1. Reading our own output
 * keeps one definition of a valid record, and the map still never holds the file in one Lambda.
 */
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib/core';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DistributedMap,
  type IItemReader,
  ItemBatcher,
  JitterType,
  JsonPath,
  ResultWriterV2,
  type StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { BIG_FILE_MAX_RECORD_BYTES, ENV, PREFIX, SERVICE_NAME, bigFileStateMachineName } from '../handlers/contract.js';
import { functionLogGroup, loggedStateMachine, nodeFunction } from './parts.js';

/** Defaults (see README, "Big files", for how they were chosen). */
export const BIG_FILE_DEFAULTS = {
  /** Files above this go to the state machine: ~30 s on the small path at the rate measured (see processorTimeout). */
  thresholdBytes: 8 * 1024 * 1024,
  /** Batch functions at once. */
  maxConcurrency: 8,
  /** Percentage of records whose batch may fail (after retries) with the file still SUCCESS. */
  toleratedFailurePercentage: 0,
} as const;

/**
 * The processor's time-out for a threshold: a file just under it must finish with wide margin. The
 * small path did ~300 KB/s (1,200 records/s) inside the processor on the local AWS, on a 2-core
 * machine at load average ~15 (bench/big-file.ts); this assumes 250 KB/s, triples the time, and never
 * goes under 2 minutes or over Lambda's 15. At the default threshold that is 2 minutes for ~30 s of work.
 */
export function processorTimeout(thresholdBytes: number): Duration {
  const seconds = Math.ceil((thresholdBytes / 250_000) * 3);
  return Duration.seconds(Math.min(900, Math.max(120, seconds)));
}

/** Records per batch, and a batch's input bytes: a child execution's input is at most 256 KiB (so is one record). */
export const BATCH_LIMITS = { maxItems: 1000, maxInputBytes: BIG_FILE_MAX_RECORD_BYTES } as const;

export interface BigFileProps {
  readonly envName: string;
  /** Folder with the bundled big-file handlers (index.mjs exporting prepare, batch, finish). */
  readonly codeDir: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly bucket: IBucket;
  readonly bucketArn: string;
  readonly metadata: Table;
  readonly events: Table;
  /** The processor's DLQ: a file whose run failed is sent there, for `tap dlq redrive`. */
  readonly deadLetterQueue: Queue;
  readonly deliveryStateMachine?: StateMachine;
  readonly maxConcurrency?: number;
  readonly toleratedFailurePercentage?: number;
}

export class BigFile extends Construct {
  readonly prepareFn: LambdaFunction;
  readonly batchFn: LambdaFunction;
  readonly finishFn: LambdaFunction;
  readonly logGroups: LogGroup[] = [];
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, private readonly props: BigFileProps) {
    super(scope, id);
    // ResultWriterV2 (not the deprecated ResultWriter) is rendered only with this flag, set here only.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const objects = (prefix: string) => `${props.bucketArn}/${prefix}*`;
    this.prepareFn = this.fn('Prepare', 'prepare', {
      description: 'tap: big file, pass 1 — validates the file into processed/ and rejected/ (streaming)',
      // Pass 1 of a 150 MB file takes about a minute on the local AWS; 15 minutes is Lambda's most.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      statements: [
        new PolicyStatement({ sid: 'ReadUploads', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects(PREFIX.incoming)] }),
        new PolicyStatement({
          sid: 'WriteOutputs',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [objects(PREFIX.processed), objects(PREFIX.rejected), objects(PREFIX.quarantine)],
        }),
      ],
    });
    this.batchFn = this.fn('Batch', 'batch', {
      description: 'tap: big file, one batch of processed records into the events table',
      // A batch of 1,000 records is 40 BatchWriteItem calls: seconds, unless DynamoDB throttles.
      timeout: Duration.minutes(2),
      memorySize: 512,
      statements: [new PolicyStatement({ sid: 'WriteShipmentEvents', actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], resources: [props.events.tableArn] })],
    });
    const machineName = bigFileStateMachineName(props.envName);
    this.finishFn = this.fn('Finish', 'finish', {
      description: "tap: big file, records the file's outcome (as the processor does) and starts its delivery",
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: {
        [ENV.metadataTable]: props.metadata.tableName,
        [ENV.deadLetterQueueUrl]: props.deadLetterQueue.queueUrl,
        ...(props.deliveryStateMachine ? { [ENV.deliveryStateMachine]: props.deliveryStateMachine.stateMachineArn } : {}),
      },
      statements: [
        new PolicyStatement({ sid: 'RecordFileMetadata', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.metadata.tableArn] }),
        new PolicyStatement({
          sid: 'ReadMapRuns',
          actions: ['states:DescribeMapRun'],
          resources: [`arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:mapRun:${machineName}/*`],
        }),
        new PolicyStatement({ sid: 'RedriveFailedRuns', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
        ...(props.deliveryStateMachine
          ? [new PolicyStatement({ sid: 'StartDeliveries', actions: ['states:StartExecution'], resources: [props.deliveryStateMachine.stateMachineArn] })]
          : []),
      ],
    });
    this.stateMachine = this.machine(machineName);
  }

  private fn(
    id: string,
    handler: string,
    o: { description: string; timeout: Duration; memorySize: number; statements: PolicyStatement[]; environment?: Record<string, string> },
  ): LambdaFunction {
    const scope = new Construct(this, `${id}Function`);
    const functionName = `tap-${this.props.envName}-big-file-${handler}`;
    const logGroup = functionLogGroup(scope, 'LogGroup', functionName, { retention: this.props.logRetentionDays, removalPolicy: this.props.logRemovalPolicy });
    this.logGroups.push(logGroup);
    const role = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `tap ${this.props.envName}: big file ${handler}`,
      inlinePolicies: {
        [handler]: new PolicyDocument({
          statements: [...o.statements, new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
        }),
      },
    });
    return nodeFunction(scope, 'Function', {
      functionName,
      description: o.description,
      codeDir: this.props.codeDir,
      handler,
      memorySize: o.memorySize,
      timeout: o.timeout,
      role,
      logGroup,
      powertools: { service: SERVICE_NAME, envName: this.props.envName },
      environment: { [ENV.environment]: this.props.envName, [ENV.eventsTable]: this.props.events.tableName, ...o.environment },
    });
  }

  private machine(name: string): StateMachine {
    const { props } = this;
    // Errors worth another attempt: Lambda's own, time-outs, and whatever the function threw (its
    // transient errors; a bad file is not thrown, Prepare returns it as FAILED).
    const retry = { errors: ['States.ALL'], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, jitterStrategy: JitterType.FULL, maxDelay: Duration.seconds(30) };

    const prepare = new LambdaInvoke(this, 'Prepare', {
      lambdaFunction: this.prepareFn,
      payload: TaskInput.fromObject({ 'file.$': '$.file', 'messageId.$': '$.messageId' }),
      payloadResponseOnly: true,
      resultPath: '$.prepared',
    });
    prepare.addRetry(retry);

    const finish = new LambdaInvoke(this, 'Finish', {
      lambdaFunction: this.finishFn,
      payload: TaskInput.fromObject({ 'state.$': '$', 'startedAt.$': '$$.Execution.StartTime', 'executionArn.$': '$$.Execution.Id' }),
      payloadResponseOnly: true,
      resultPath: '$.outcome',
    });
    finish.addRetry(retry);

    const batch = new LambdaInvoke(this, 'Batch', { lambdaFunction: this.batchFn, payloadResponseOnly: true });
    batch.addRetry({ ...retry, maxAttempts: 4 });
    const write = new DistributedMap(this, 'WriteEvents', {
      itemReader: new ProcessedOutputReader(props.bucket, props.bucketArn),
      itemBatcher: new ItemBatcher({
        maxItemsPerBatch: BATCH_LIMITS.maxItems,
        maxInputBytesPerBatch: BATCH_LIMITS.maxInputBytes,
        batchInput: { 'source.$': '$.prepared.source' },
      }),
      maxConcurrency: props.maxConcurrency ?? BIG_FILE_DEFAULTS.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage ?? BIG_FILE_DEFAULTS.toleratedFailurePercentage,
      resultWriterV2: new MapResultsWriter(props.bucket, props.bucketArn),
      resultPath: '$.map',
      label: 'WriteEvents',
    });
    write.itemProcessor(batch);
    const failed = { resultPath: '$.error', errors: ['States.ALL'] };
    prepare.addCatch(finish, failed);
    write.addCatch(finish, failed);

    const definition = prepare.next(
      new Choice(this, 'Records to write?').when(Condition.booleanEquals('$.prepared.writeRecords', true), write.next(finish)).otherwise(finish),
    );
    // A run whose outcome is recorded succeeds, whether the file ended SUCCESS or FAILED (a bad
    // file, or Prepare/the map failing into the Catch above): the row and, for a caught failure, the
    // DLQ message say what happened. So an execution that FAILS, TIMES OUT or is ABORTED is exactly
    // one whose Finish never wrote the row — a file left PROCESSING — and Monitoring alarms on those.
    // (A Fail state for FAILED files would have made every bad big file count as ExecutionsFailed.)
    finish.next(new Succeed(this, 'Outcome recorded', { comment: "The file's outcome (SUCCESS or FAILED) is in its metadata row: tap status --file KEY." }));

    return loggedStateMachine(this, {
      name,
      comment: `tap ${props.envName}: processes files above the big-file threshold with a distributed map`,
      definition,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
    });
  }
}

/**
 * ItemReader: processed/<key>.ndjson as JSON Lines, pinned to the version Prepare wrote (a later
 * upload of the same key cannot change what this run writes). CDK's S3JsonLItemReader takes a fixed
 * key and no version, and grants on the whole bucket; this one reads only processed/.
 */
class ProcessedOutputReader implements IItemReader {
  readonly resource = `arn:${Aws.PARTITION}:states:::s3:getObject`;
  constructor(
    readonly bucket: IBucket,
    private readonly bucketArn: string,
  ) {}

  render(): unknown {
    return {
      Resource: this.resource,
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { 'Bucket.$': '$.prepared.processed.bucket', 'Key.$': '$.prepared.processed.key', 'VersionId.$': '$.prepared.processed.versionId' },
    };
  }

  providePolicyStatements(): PolicyStatement[] {
    return [new PolicyStatement({ sid: 'ReadProcessedOutput', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${this.bucketArn}/${PREFIX.processed}*`] })];
  }

  validateItemReader(): string[] {
    return [];
  }
}

/** ResultWriter under map-results/, granted there only (CDK's grants on the whole bucket). */
class MapResultsWriter extends ResultWriterV2 {
  constructor(
    bucket: IBucket,
    private readonly bucketArn: string,
  ) {
    super({ bucket, prefix: PREFIX.mapResults });
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        sid: 'WriteMapResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [`${this.bucketArn}/${PREFIX.mapResults}*`],
      }),
    ];
  }
}
