/** The AWS clients the Lambda entry points build, configured one way. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The SDK reads AWS_ENDPOINT_URL[_S3] itself; a custom endpoint (the local AWS) needs path-style. */
export function s3Client(env: NodeJS.ProcessEnv): S3Client {
  return new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL']) });
}

export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    // Record fields are stored as they came; a large integer already lost precision in JSON parsing.
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  });
}
