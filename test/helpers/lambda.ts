import { CreateFunctionCommand, LambdaClient, type CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';

export const ROLE = 'arn:aws:iam::000000000000:role/tap-test';

/** A zip of `{ path: source }`, as a deployment package. */
export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v])));
}

/** Creates a Node.js function from source files (handler `index.handler` unless given). */
export async function createFunction(
  lambda: LambdaClient,
  name: string,
  files: Record<string, string | Uint8Array>,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: zipOf(files) },
      Timeout: 5,
      ...extra,
    }),
  );
}

/** Invoke's payload as text. */
export const text = (payload: Uint8Array | undefined) => Buffer.from(payload ?? new Uint8Array()).toString('utf8');

export { eventually } from './eventually.js';
