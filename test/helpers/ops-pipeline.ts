/**
 * The pipeline on the local AWS as `tap deploy` makes it: the stack synthesized from src/infra (real
 * bundles), its assets published as the asset manifest says, and the template created through the
 * local CloudFormation. So a change in src/infra changes what these tests run on. Settings a test needs
 * (short timeouts, its own processor code) are applied afterwards through the service APIs, as an
 * operator would change a deployed stack. Returns the `Pipeline` + `Clients` that tap's operations take.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import {
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { synthesize } from '../../src/infra/app.js';
import { OUTPUT } from '../../src/handlers/contract.js';
import { fillPlaceholders } from '../../src/ops/assets.js';
import { type Clients, createClients } from '../../src/ops/clients.js';
import { type Pipeline, pipelineFromOutputs } from '../../src/ops/pipeline.js';
import type { ProgressEvent, Reporter } from '../../src/ops/reporter.js';
import { describe, fast, publishAssets } from './cloudformation.js';
import { zipOf } from './lambda.js';
import type { LocalHarness } from './local.js';

export interface OpsPipeline {
  readonly pipeline: Pipeline;
  readonly outputs: Record<string, string>;
  readonly clients: Clients;
  readonly functionName: string;
}

export interface PipelineSettings {
  /**
   * Leave the processor's SQS event source mapping enabled; otherwise it is disabled, and messages wait
   * in the queue. The pod processor's mapping is always disabled: photo messages wait in the pod queue.
   */
  readonly withProcessor?: boolean;
  /** Receives before a message is dead-lettered (the stack's: 3). */
  readonly maxReceiveCount?: number;
  /** Seconds (the stack's: 6 × the function timeout); also the function's timeout unless `processor.timeout` says. */
  readonly visibilityTimeout?: number;
  /** The processor replaced by this code (handler `index.handler`) and settings. */
  readonly processor?: { readonly files?: Record<string, string>; readonly timeout?: number; readonly batchSize?: number };
}

const ACCOUNT = '000000000000';

/** Deploys `TapStack-<env>` from the synthesized template. */
export async function createOpsPipeline(local: Pick<LocalHarness, 'endpoint' | 'clientConfig'>, env: string, settings: PipelineSettings = {}): Promise<OpsPipeline> {
  const config = local.clientConfig;
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const cfn = new CloudFormationClient(config);
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient(config);
  try {
    // arrange the stack as `tap deploy` would: synthesize, publish the assets, create the stack
    const synth = await synthesize({ envName: env, outDir: mkdtempSync(join(tmpdir(), `tap-ops-${env}-`)) });
    await publishAssets(s3, synth.assetManifestFile, { account: ACCOUNT, region: config.region });
    // The template is over CloudFormation's 51,200-byte inline limit: by URL, from the asset bucket, as tap deploy does.
    const manifest = JSON.parse(readFileSync(join(dirname(synth.assetManifestFile), 'manifest.json'), 'utf8'));
    const objectUrl: string = manifest.artifacts[synth.stackName].properties.stackTemplateAssetObjectUrl;
    const TemplateURL = `${local.endpoint}/${fillPlaceholders(objectUrl.replace(/^s3:\/\//, ''), { account: ACCOUNT, region: config.region, partition: 'aws' })}`;
    const { StackId } = await cfn.send(
      new CreateStackCommand({ StackName: synth.stackName, TemplateURL, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }),
    );
    await waitUntilStackCreateComplete({ client: cfn, ...fast, maxWaitTime: 180 }, { StackName: StackId });
    const stack = await describe(cfn, synth.stackName);
    if (stack.StackStatus !== 'CREATE_COMPLETE') throw new Error(`${synth.stackName}: ${stack.StackStatus} ${stack.StackStatusReason ?? ''}`);
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    const functionName = outputs[OUTPUT.functionName]!;

    // then the test's own settings, through the service APIs
    const queueAttributes: Record<string, string> = {};
    if (settings.visibilityTimeout !== undefined) queueAttributes.VisibilityTimeout = String(settings.visibilityTimeout);
    if (settings.maxReceiveCount !== undefined) {
      queueAttributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: outputs[OUTPUT.dlqArn], maxReceiveCount: settings.maxReceiveCount });
    }
    if (Object.keys(queueAttributes).length) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: outputs[OUTPUT.queueUrl], Attributes: queueAttributes }));
    // The local Lambda wants the queue's visibility timeout at least the function's timeout, as AWS does.
    const timeout = settings.processor?.timeout ?? settings.visibilityTimeout;
    if (settings.processor?.files) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zipOf(settings.processor.files) }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: functionName });
    }
    if (timeout !== undefined) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Timeout: timeout }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: functionName });
    }
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    for (const mapping of EventSourceMappings) {
      await lambda.send(
        new UpdateEventSourceMappingCommand({
          UUID: mapping.UUID,
          Enabled: Boolean(settings.withProcessor),
          ...(settings.processor?.batchSize !== undefined && { BatchSize: settings.processor.batchSize }),
        }),
      );
    }
    const pod = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: outputs[OUTPUT.podFunctionName] }));
    for (const mapping of pod.EventSourceMappings ?? []) await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));

    const clients = createClients({ kind: 'endpoint', endpoint: local.endpoint, region: config.region, credentials: config.credentials, description: `${local.endpoint} (test)` });
    return { pipeline: pipelineFromOutputs(env, outputs, 'stack'), outputs, clients, functionName };
  } finally {
    for (const client of [s3, cfn, sqs, lambda]) client.destroy();
  }
}

/** A reporter that keeps the events, for assertions. */
export function recordingReporter(): Reporter & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return { events, emit: (e) => void events.push(e) };
}
