/**
 * Task state integrations, run inside the local AWS: Lambda (`arn:aws:states:::lambda:invoke` and a
 * plain function ARN), DynamoDB (`arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`,
 * and every DynamoDB action through `arn:aws:states:::aws-sdk:dynamodb:<action>`), SQS sendMessage
 * and SNS publish. Lambda, SQS and SNS are called through the SDK on the local endpoint (loopback),
 * so their wire semantics are exactly their APIs'; DynamoDB goes to its service in-process. Failures
 * carry the error names Step Functions gives them (a function's own errorType; `Lambda.<Exception>`,
 * `DynamoDB.<Exception>`, `SQS.<Exception>`, `SNS.<Exception>`), so Retry and Catch match as on AWS.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../errors.js';
import type { LocalContext } from '../../service.js';
import { dynamodb } from '../cloudformation/providers/inprocess.js';
import type { Json } from './definition.js';

/** How a Task's resource shows in the execution history. */
export interface TaskTarget {
  /** `lambda-function`: the legacy plain function ARN, logged as LambdaFunction* events. */
  readonly kind: 'integration' | 'lambda-function';
  readonly resourceType: string;
  readonly resource: string;
}

/** A task failure as Step Functions names it: `name` is the error Retry/Catch match, `message` the cause. */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

const OPTIMIZED = /^arn:aws[a-z-]*:states:::(lambda|dynamodb|sqs|sns):([A-Za-z]+)$/;
const SDK = /^arn:aws[a-z-]*:states:::aws-sdk:(dynamodb):([A-Za-z]+)$/;
const FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

export function taskTarget(resource: string): TaskTarget {
  if (FUNCTION.test(resource)) return { kind: 'lambda-function', resourceType: 'lambda', resource };
  const m = OPTIMIZED.exec(resource) ?? SDK.exec(resource);
  if (m) return { kind: 'integration', resourceType: SDK.test(resource) ? `aws-sdk:${m[1]}` : m[1]!, resource: m[2]! };
  return { kind: 'integration', resourceType: 'unknown', resource };
}

const SUPPORTED: Record<string, readonly string[]> = {
  lambda: ['invoke'],
  dynamodb: ['getItem', 'putItem', 'updateItem', 'deleteItem'],
  sqs: ['sendMessage'],
  sns: ['publish'],
};

export class TaskRunner {
  private readonly clients = new Map<string, { lambda: LambdaClient; sqs: SQSClient; sns: SNSClient }>();

  constructor(private readonly ctx: LocalContext) {}

  /** SDK clients on the local endpoint, loaded on first use (they are heavy and most runs need none). */
  private async client(region: string) {
    let set = this.clients.get(region);
    if (!set) {
      const [{ LambdaClient }, { SQSClient }, { SNSClient }] = await Promise.all([import('@aws-sdk/client-lambda'), import('@aws-sdk/client-sqs'), import('@aws-sdk/client-sns')]);
      // One attempt each: retrying is the state machine's Retry's job, as on AWS.
      const config = { endpoint: this.ctx.endpoint(), region, credentials: { accessKeyId: 'states', secretAccessKey: 'states' }, maxAttempts: 1 };
      set = this.clients.get(region) ?? { lambda: new LambdaClient(config), sqs: new SQSClient(config), sns: new SNSClient(config) };
      this.clients.set(region, set);
    }
    return set;
  }

  async run(resource: string, input: Json, region: string): Promise<Json> {
    const target = taskTarget(resource);
    if (target.kind === 'lambda-function') return (await this.invoke(region, { FunctionName: resource, Payload: input })).Payload as Json;
    const params = (input ?? {}) as Record<string, any>;
    if (target.resourceType === 'aws-sdk:dynamodb') return this.dynamo(region, pascal(target.resource), params, 'DynamoDb', false);
    if (!SUPPORTED[target.resourceType]?.includes(target.resource)) {
      throw new TaskError('States.Runtime', `tap local does not integrate the Task resource ${resource}. Supported: lambda:invoke, a function ARN, dynamodb:getItem/putItem/updateItem/deleteItem, aws-sdk:dynamodb:*, sqs:sendMessage, sns:publish.`);
    }
    switch (target.resourceType) {
      case 'lambda':
        return this.invoke(region, params);
      case 'dynamodb':
        return this.dynamo(region, pascal(target.resource), params, 'DynamoDB', true);
      case 'sqs':
        return this.sdk('SQS', async () => {
          const { MessageBody, ...rest } = params;
          const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
          const out = await (await this.client(region)).sqs.send(new SendMessageCommand({ ...rest, QueueUrl: rest.QueueUrl, MessageBody: text(MessageBody) }));
          return withMetadata({ MessageId: out.MessageId!, MD5OfMessageBody: out.MD5OfMessageBody!, ...(out.SequenceNumber ? { SequenceNumber: out.SequenceNumber } : {}) }, out.$metadata.requestId);
        });
      default:
        return this.sdk('SNS', async () => {
          const { Message, ...rest } = params;
          const { PublishCommand } = await import('@aws-sdk/client-sns');
          const out = await (await this.client(region)).sns.send(new PublishCommand({ ...rest, Message: text(Message) }));
          return withMetadata({ MessageId: out.MessageId!, ...(out.SequenceNumber ? { SequenceNumber: out.SequenceNumber } : {}) }, out.$metadata.requestId);
        });
    }
  }

  /** lambda:invoke's result: the function's parsed Payload with the status and SDK metadata. */
  private async invoke(region: string, params: Record<string, any>): Promise<Record<string, Json>> {
    if (typeof params.FunctionName !== 'string') throw new TaskError('States.Runtime', 'The lambda:invoke task needs a FunctionName parameter.');
    const { InvokeCommand } = await import('@aws-sdk/client-lambda');
    const lambda = (await this.client(region)).lambda;
    const out = await this.sdk('Lambda', () =>
      lambda.send(
        new InvokeCommand({
          FunctionName: params.FunctionName,
          Payload: Buffer.from(params.Payload === undefined ? '{}' : JSON.stringify(params.Payload)),
          ...(params.InvocationType ? { InvocationType: params.InvocationType } : {}),
          ...(params.Qualifier ? { Qualifier: params.Qualifier } : {}),
          ...(params.ClientContext ? { ClientContext: params.ClientContext } : {}),
        }),
      ),
    );
    const raw = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
    if (out.FunctionError) {
      let errorType = 'Lambda.Unknown';
      try {
        errorType = String(JSON.parse(raw).errorType ?? errorType);
      } catch {
        // keep Lambda.Unknown: the function's error document is not JSON
      }
      throw new TaskError(errorType, raw);
    }
    let payload: Json = raw;
    try {
      payload = raw ? (JSON.parse(raw) as Json) : null;
    } catch {
      // a payload that is not JSON stays a string
    }
    return { ...withMetadata({ ExecutedVersion: out.ExecutedVersion ?? '$LATEST', Payload: payload, StatusCode: out.StatusCode ?? 200 }, out.$metadata.requestId) };
  }

  private async dynamo(region: string, action: string, params: Record<string, any>, prefix: string, metadata: boolean): Promise<Json> {
    try {
      const out = (await dynamodb(this.ctx, region, action, coerceScalars(params) as object)) as Record<string, Json>;
      return metadata ? withMetadata(out, randomUUID()) : out;
    } catch (error) {
      if (error instanceof AwsError) throw new TaskError(`${prefix}.${error.code}`, `${error.message} (Service: DynamoDb, Status Code: ${error.status}, Error Code: ${error.code})`);
      throw error;
    }
  }

  /** Runs an SDK call, naming its failure `<Service>.<Exception>` as Step Functions does. */
  private async sdk<T>(service: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TaskError) throw error;
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
      const status = e.$metadata?.httpStatusCode;
      const code = status === undefined ? 'SdkClientException' : e.name && e.name !== 'Error' ? e.name : status >= 500 ? 'ServiceException' : 'AWSLambdaException';
      throw new TaskError(`${service}.${code}`, `${e.message ?? code} (Service: ${service}, Status Code: ${status ?? 0}, Request ID: ${e.$metadata?.requestId ?? ''})`);
    }
  }

  close(): void {
    for (const set of this.clients.values()) for (const c of Object.values(set)) c.destroy();
    this.clients.clear();
  }
}

/**
 * Step Functions builds DynamoDB requests with the Java SDK, whose JSON reader turns a number or a
 * boolean given for a string member into its text: `{"N.$": "$.count"}` with a number works on AWS
 * (CDK's DynamoAttributeValue.fromNumber(JsonPath.numberAt(...)) emits exactly that).
 */
function coerceScalars(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => (['SS', 'NS', 'BS'].includes(key) && typeof v !== 'object' ? String(v) : coerceScalars(v)));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerceScalars(v, k)]));
  if (['S', 'N', 'B'].includes(key) && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  return value;
}

const pascal = (action: string) => action.charAt(0).toUpperCase() + action.slice(1);
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

function withMetadata(out: Record<string, Json>, requestId: string | undefined): Record<string, Json> {
  return {
    ...out,
    SdkHttpMetadata: { HttpHeaders: { 'x-amzn-RequestId': requestId ?? '' }, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: requestId ?? '' },
  };
}
