/**
 * CreateFunction / UpdateFunctionConfiguration input rules, with AWS's codes: framework constraints
 * (ranges, enums, patterns) are ValidationException; Lambda's own checks InvalidParameterValueException.
 */
import { invalidParameter, validation } from './errors.js';
import type { FunctionConfig, LoggingConfig } from './model.js';

/** Runtimes CreateFunction accepts today (nodejs18.x+ …); older ones fail as deprecated, as in AWS. */
const RUNTIMES = [
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14',
  'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'dotnet8', 'dotnet10', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'provided.al2', 'provided.al2023',
];
const DEPRECATED = [
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'java8', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1',
  'dotnetcore3.1', 'dotnet6', 'dotnet7', 'go1.x', 'ruby2.5', 'ruby2.7', 'provided',
];

/** Keys the runtime sets itself (Lambda docs, "Defined runtime environment variables"). */
const RESERVED_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'];

type Input = Record<string, any>;

export function checkFunctionName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(name)) {
    throw validation(name, 'functionName', 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
  }
  return name;
}

function range(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(value, field, 'Member must be an integer');
  if (value < min) throw validation(value, field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation(value, field, `Member must have value less than or equal to ${max}`);
  return value;
}

function checkRuntime(runtime: unknown): string {
  if (typeof runtime === 'string' && DEPRECATED.includes(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  if (typeof runtime !== 'string' || !RUNTIMES.includes(runtime)) {
    throw validation(runtime, 'runtime', `Member must satisfy enum value set: [${RUNTIMES.join(', ')}]`);
  }
  return runtime;
}

function checkRole(role: unknown): string {
  if (typeof role !== 'string' || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(role)) {
    throw validation(role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  }
  return role;
}

function checkEnvironment(env: unknown): FunctionConfig['Environment'] {
  const vars = (env as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) throw validation(k, 'environment.variables', 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
    out[k] = String(v ?? '');
  }
  const reserved = Object.keys(out).filter((k) => RESERVED_KEYS.includes(k));
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(out);
  if (Buffer.byteLength(measured) > 4096) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  return { Variables: out };
}

function checkLogging(input: Partial<LoggingConfig> | undefined, current: LoggingConfig, name: string): LoggingConfig {
  const merged = { ...current, ...(input ?? {}) };
  if (merged.LogFormat !== 'Text' && merged.LogFormat !== 'JSON') throw validation(merged.LogFormat, 'loggingConfig.logFormat', 'Member must satisfy enum value set: [JSON, Text]');
  if (merged.LogFormat === 'Text') {
    if (input?.ApplicationLogLevel || input?.SystemLogLevel) {
      throw invalidParameter('To set ApplicationLogLevel or SystemLogLevel, LogFormat must be JSON.');
    }
    return { LogFormat: 'Text', LogGroup: merged.LogGroup || `/aws/lambda/${name}` };
  }
  const app = merged.ApplicationLogLevel ?? 'INFO';
  const sys = merged.SystemLogLevel ?? 'INFO';
  if (!LOG_LEVELS.includes(app)) throw validation(app, 'loggingConfig.applicationLogLevel', `Member must satisfy enum value set: [${LOG_LEVELS.join(', ')}]`);
  if (!SYSTEM_LOG_LEVELS.includes(sys)) throw validation(sys, 'loggingConfig.systemLogLevel', `Member must satisfy enum value set: [${SYSTEM_LOG_LEVELS.join(', ')}]`);
  return { LogFormat: 'JSON', ApplicationLogLevel: app, SystemLogLevel: sys, LogGroup: merged.LogGroup || `/aws/lambda/${name}` };
}

/** A full configuration from CreateFunction's input, or `current` changed by UpdateFunctionConfiguration's. */
export function buildConfig(input: Input, current?: FunctionConfig): FunctionConfig {
  const name = current?.FunctionName ?? checkFunctionName(input.FunctionName);
  if (input.Layers?.length) throw invalidParameter(`Layer version ${input.Layers[0]} does not exist. (tap local does not emulate layers.)`);
  if (input.Publish) throw invalidParameter('tap local does not publish function versions; create the function without Publish.');
  if (input.PackageType === 'Image' || input.Code?.ImageUri || input.ImageConfig) throw invalidParameter('tap local runs .zip functions only (PackageType Image is not emulated).');
  const runtime = input.Runtime !== undefined || !current ? checkRuntime(input.Runtime) : current.Runtime;
  const handler = input.Handler ?? current?.Handler;
  if (typeof handler !== 'string' || handler.length < 1 || handler.length > 128) {
    throw invalidParameter('The Handler parameter is required for functions with a .zip file package type.');
  }
  const architectures = input.Architectures ?? current?.Architectures ?? ['x86_64'];
  if (!Array.isArray(architectures) || architectures.length !== 1 || !['x86_64', 'arm64'].includes(architectures[0])) {
    throw validation(architectures, 'architectures', 'Member must satisfy enum value set: [x86_64, arm64] and have length 1');
  }
  const tracing = input.TracingConfig?.Mode ?? current?.TracingConfig.Mode ?? 'PassThrough';
  if (!['Active', 'PassThrough'].includes(tracing)) throw validation(tracing, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]');
  const dlq = input.DeadLetterConfig ? input.DeadLetterConfig.TargetArn : current?.DeadLetterConfig?.TargetArn;
  if (dlq && !/^arn:aws[a-zA-Z-]*:(sqs|sns):/.test(dlq)) throw invalidParameter(`The dead-letter target ${dlq} must be an SQS queue or an SNS topic ARN.`);
  const environment = input.Environment !== undefined ? checkEnvironment(input.Environment) : current?.Environment;
  return {
    FunctionName: name,
    Runtime: runtime,
    Role: input.Role !== undefined || !current ? checkRole(input.Role) : current.Role,
    Handler: handler,
    Description: String(input.Description ?? current?.Description ?? ''),
    Timeout: range(input.Timeout ?? current?.Timeout ?? 3, 'timeout', 1, 900),
    MemorySize: range(input.MemorySize ?? current?.MemorySize ?? 128, 'memorySize', 128, 10240),
    ...(environment ? { Environment: environment } : {}),
    TracingConfig: { Mode: tracing },
    ...(dlq ? { DeadLetterConfig: { TargetArn: dlq } } : {}),
    ...((input.KMSKeyArn ?? current?.KMSKeyArn) ? { KMSKeyArn: input.KMSKeyArn ?? current?.KMSKeyArn } : {}),
    Architectures: architectures,
    EphemeralStorage: { Size: range(input.EphemeralStorage?.Size ?? current?.EphemeralStorage.Size ?? 512, 'ephemeralStorage.size', 512, 10240) },
    LoggingConfig: checkLogging(input.LoggingConfig, current?.LoggingConfig ?? { LogFormat: 'Text', LogGroup: '' }, name),
    ...((input.VpcConfig ?? current?.VpcConfig)
      ? { VpcConfig: { SubnetIds: (input.VpcConfig ?? current?.VpcConfig).SubnetIds ?? [], SecurityGroupIds: (input.VpcConfig ?? current?.VpcConfig).SecurityGroupIds ?? [] } }
      : {}),
  };
}
