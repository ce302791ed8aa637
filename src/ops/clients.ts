import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { operationName } from './aws-errors.js';
import { sdk } from './sdk.js';
import type { Target } from './target.js';

/**
 * The one place AWS clients are made. Every client honours the target's region, credentials and
 * endpoint; S3 uses path-style addressing on custom endpoints (virtual hosts don't resolve locally).
 * Clients load lazily (src/ops/sdk.ts), so a command pays only for the SDK packages it uses.
 */
export interface Clients {
  readonly target: Target;
  s3(): Promise<S3Client>;
  cloudformation(): Promise<CloudFormationClient>;
  sts(): Promise<STSClient>;
  lambda(): Promise<LambdaClient>;
  sqs(): Promise<SQSClient>;
  dynamodb(): Promise<DynamoDBClient>;
  /** DynamoDB with plain JavaScript values (lib-dynamodb), over the same DynamoDBClient. */
  documents(): Promise<DynamoDBDocumentClient>;
  logs(): Promise<CloudWatchLogsClient>;
  sfn(): Promise<SFNClient>;
  secretsManager(): Promise<SecretsManagerClient>;
  /** Releases sockets; call when the command is done. */
  destroy(): void;
}

export function createClients(target: Target): Clients {
  const made = new Map<string, { destroy(): void }>();
  const common = {
    region: target.region,
    credentials: target.credentials,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.profile && target.kind === 'aws' ? { profile: target.profile } : {}),
  };
  async function once<T extends { destroy(): void }>(name: string, make: () => Promise<T>): Promise<T> {
    if (!made.has(name)) {
      const client = await make();
      (client as unknown as { middlewareStack: MiddlewareStack }).middlewareStack.add(nameOperations, { step: 'initialize', name: 'tapNameOperations', override: true });
      made.set(name, client);
    }
    return made.get(name) as T;
  }
  const dynamodb = () => once('dynamodb', async () => new (sdk.dynamodb().DynamoDBClient)(common));
  return {
    target,
    s3: () => once('s3', async () => new (sdk.s3().S3Client)({ ...common, forcePathStyle: Boolean(target.endpoint) })),
    cloudformation: () => once('cloudformation', async () => new (sdk.cloudformation().CloudFormationClient)(common)),
    sts: () => once('sts', async () => new (sdk.sts().STSClient)(common)),
    lambda: () => once('lambda', async () => new (sdk.lambda().LambdaClient)(common)),
    sqs: () => once('sqs', async () => new (sdk.sqs().SQSClient)(common)),
    dynamodb,
    // The document client's destroy() is a no-op; the DynamoDBClient under it is destroyed as 'dynamodb'.
    documents: () => once('documents', async () => sdk.documents().DynamoDBDocumentClient.from(await dynamodb())),
    logs: () => once('logs', async () => new (sdk.logs().CloudWatchLogsClient)(common)),
    sfn: () => once('sfn', async () => new (sdk.sfn().SFNClient)(common)),
    secretsManager: () => once('secretsmanager', async () => new (sdk.secretsManager().SecretsManagerClient)(common)),
    destroy: () => {
      for (const client of made.values()) client.destroy();
      made.clear();
    },
  };
}

type Next = (args: object) => Promise<unknown>;
interface MiddlewareStack {
  add(middleware: (next: Next, context: { clientName?: string; commandName?: string }) => Next, options: object): void;
}

/**
 * Errors remember which operation failed (`$operation`, e.g. "S3 HeadObject"): an answer without a
 * body says nothing else, and the message must still name what was refused.
 */
const nameOperations: Parameters<MiddlewareStack['add']>[0] = (next, context) => async (args) => {
  try {
    return await next(args);
  } catch (error) {
    if (error && typeof error === 'object' && !('$operation' in error)) {
      Object.assign(error, { $operation: operationName(context.clientName, context.commandName) });
    }
    throw error;
  }
};
