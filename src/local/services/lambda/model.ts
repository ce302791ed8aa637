/** What a stored function is, and how AWS shows it (FunctionConfiguration). */

export interface LoggingConfig {
  LogFormat: 'Text' | 'JSON';
  LogGroup: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
}

export interface FunctionConfig {
  FunctionName: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: string };
  DeadLetterConfig?: { TargetArn: string };
  KMSKeyArn?: string;
  Architectures: string[];
  EphemeralStorage: { Size: number };
  LoggingConfig: LoggingConfig;
  VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] };
}

export interface Destination {
  Destination: string;
}

export interface EventInvokeConfig {
  LastModified: number;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: Destination; OnFailure?: Destination };
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: unknown;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface CodeRef {
  /** Base64 SHA-256 of the zip, as AWS reports CodeSha256. */
  sha256: string;
  /** The same digest in hex: the folder and file names under `<data-dir>/lambda`. */
  hex: string;
  size: number;
}

export interface FunctionRecord {
  region: string;
  config: FunctionConfig;
  code: CodeRef;
  lastModified: string;
  revisionId: string;
  tags: Record<string, string>;
  policy: PolicyStatement[];
  policyRevisionId?: string;
  eventInvokeConfig?: EventInvokeConfig;
  reservedConcurrency?: number;
}

export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** `2026-01-31T12:00:00.000+0000`: the LastModified format of FunctionConfiguration. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

export function toConfiguration(fn: FunctionRecord, accountId: string, state?: { State?: string; LastUpdateStatus?: string }) {
  const c = fn.config;
  const pending = state?.State === 'Pending';
  const updating = state?.LastUpdateStatus === 'InProgress';
  return {
    FunctionName: c.FunctionName,
    FunctionArn: functionArn(fn.region, accountId, c.FunctionName),
    Runtime: c.Runtime,
    Role: c.Role,
    Handler: c.Handler,
    CodeSize: fn.code.size,
    Description: c.Description,
    Timeout: c.Timeout,
    MemorySize: c.MemorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.code.sha256,
    Version: '$LATEST',
    ...(c.VpcConfig ? { VpcConfig: { ...c.VpcConfig, VpcId: '' } } : {}),
    ...(c.Environment ? { Environment: c.Environment } : {}),
    ...(c.DeadLetterConfig ? { DeadLetterConfig: c.DeadLetterConfig } : {}),
    ...(c.KMSKeyArn ? { KMSKeyArn: c.KMSKeyArn } : {}),
    TracingConfig: c.TracingConfig,
    RevisionId: fn.revisionId,
    State: state?.State ?? 'Active',
    ...(pending ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
    LastUpdateStatus: state?.LastUpdateStatus ?? 'Successful',
    ...(updating ? { LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' } : {}),
    PackageType: 'Zip',
    Architectures: c.Architectures,
    EphemeralStorage: c.EphemeralStorage,
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${fn.region}::runtime:tap-local-${c.Runtime}` },
    LoggingConfig: c.LoggingConfig,
  };
}
