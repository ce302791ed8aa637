import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Parameter,
  type Stack,
  type StackEvent,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';

/** The SDK's own waiters, polling fast (AWS's default first delay is 30 s). */
export const fast = { minDelay: 0.1, maxDelay: 0.3, maxWaitTime: 60 };

export function cfnClient(clientConfig: CloudFormationClientConfig): CloudFormationClient {
  return new CloudFormationClient(clientConfig);
}

export async function describe(cfn: CloudFormationClient, name: string): Promise<Stack> {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
  return Stacks![0]!;
}

export async function events(cfn: CloudFormationClient, name: string): Promise<StackEvent[]> {
  const all: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: name, NextToken }));
    all.push(...(page.StackEvents ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/** Waits until the stack leaves its IN_PROGRESS states, whatever it ends in. */
export async function settled(cfn: CloudFormationClient, name: string, timeoutMs = 60_000): Promise<Stack> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stack = await describe(cfn, name);
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`${name} still ${stack.StackStatus}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function createStack(
  cfn: CloudFormationClient,
  name: string,
  template: object | string,
  parameters: Parameter[] = [],
): Promise<Stack> {
  const { StackId } = await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: typeof template === 'string' ? template : JSON.stringify(template),
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  await waitUntilStackCreateComplete({ client: cfn, ...fast }, { StackName: StackId });
  return describe(cfn, name);
}

export async function updateStack(cfn: CloudFormationClient, name: string, template: object, parameters: Parameter[] = []): Promise<Stack> {
  await cfn.send(
    new UpdateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  await waitUntilStackUpdateComplete({ client: cfn, ...fast }, { StackName: name });
  return describe(cfn, name);
}

export async function deleteStack(cfn: CloudFormationClient, name: string): Promise<void> {
  const { StackId } = await describe(cfn, name);
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  await cfn.send(new DeleteStackCommand({ StackName: name }));
  await waitUntilStackDeleteComplete({ client: cfn, ...fast }, { StackName: StackId });
}

export function output(stack: Stack, key: string): string | undefined {
  return stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

/**
 * Publishes a cloud assembly's file assets the way a deploy tool does: each to its destination bucket
 * and key (placeholders filled in), directories zipped. Creates the buckets first.
 */
export async function publishAssets(
  s3: import('@aws-sdk/client-s3').S3Client,
  manifestFile: string,
  env: { account: string; region: string },
): Promise<void> {
  const { readFileSync, readdirSync, statSync } = await import('node:fs');
  const { dirname, join, relative } = await import('node:path');
  const { zipSync } = await import('fflate');
  const { CreateBucketCommand, HeadBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
  };
  const fill = (s: string) => s.replace(/\$\{AWS::AccountId\}/g, env.account).replace(/\$\{AWS::Region\}/g, env.region).replace(/\$\{AWS::Partition\}/g, 'aws');
  for (const asset of Object.values(manifest.files)) {
    const path = join(dirname(manifestFile), asset.source.path);
    let body: Uint8Array;
    if (asset.source.packaging === 'zip' || statSync(path).isDirectory()) {
      const files: Record<string, Uint8Array> = {};
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const full = join(dir, name);
          if (statSync(full).isDirectory()) walk(full);
          else files[relative(path, full)] = readFileSync(full);
        }
      };
      walk(path);
      body = zipSync(files);
    } else body = readFileSync(path);
    for (const d of Object.values(asset.destinations)) {
      const Bucket = fill(d.bucketName);
      await s3.send(new HeadBucketCommand({ Bucket })).catch(() => s3.send(new CreateBucketCommand({ Bucket })));
      await s3.send(new PutObjectCommand({ Bucket, Key: fill(d.objectKey), Body: body }));
    }
  }
}
