/**
 * Runs invocations on warm workers: a small pool per function (one invocation per worker at a time;
 * more invocations wait for a free worker), replaced when the function's code or configuration
 * changes. Every invocation is logged to the function's log group through LogsApi.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../../errors.js';
import type { LocalContext } from '../../service.js';
import { RuntimeCache, runtimesDir } from '../../runtimes/cache.js';
import { NodeResolver, type NodeChoice } from '../../runtimes/resolve.js';
import type { LogsApi } from '../contracts.js';
import type { CodeStore } from './code.js';
import { invocationEvents, logTail, type Report } from './invocation-log.js';
import { functionArn, type FunctionRecord } from './model.js';
import { bootstrapPath, isNodeRuntime, LOCAL_LAMBDA_CREDENTIALS } from './runtime.js';
import type { LocalLambda } from './service.js';
import { exitError, newStreamName, Worker, type ErrorResponse, type Outcome } from './worker.js';

export interface InvokeOptions {
  readonly clientContext?: string;
  readonly requestId?: string;
}

export interface InvokeResult {
  readonly requestId: string;
  /** The response payload: the handler's result, or the error document. */
  readonly payload: string;
  readonly functionError?: 'Unhandled';
  readonly errorType?: string;
  readonly logTail: string;
}

interface Pool {
  revisionId: string;
  /** The node the workers run on: a runtime installed since (after a fallback) starts new ones. */
  execPath: string;
  workers: Worker[];
  waiting: Array<() => void>;
}

/** Warm workers per function, at most (and at most the reserved concurrency). */
const DEFAULT_POOL_SIZE = 3;
/** Invoke's response limit (6 MB, Lambda quotas). */
const MAX_RESPONSE = 6_291_556;

export class Runner {
  private readonly pools = new Map<string, Pool>();
  private bootstrap: Promise<string> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: LocalContext,
    private readonly code: CodeStore,
    private readonly poolSize = Number(process.env.TAP_LAMBDA_WORKERS) || DEFAULT_POOL_SIZE,
    /** Which `node` runs each runtime (the runtime cache, shared by every env of this local AWS). */
    readonly nodes = new NodeResolver(new RuntimeCache(runtimesDir(ctx.dataDir))),
  ) {}

  async invoke(fn: FunctionRecord, payload: string, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (!isNodeRuntime(fn.config.Runtime)) {
      throw new AwsError(
        'InvalidRuntimeException',
        `tap local runs Node.js functions only; the runtime of ${fn.config.FunctionName} is ${fn.config.Runtime}.`,
        502,
      );
    }
    if (fn.reservedConcurrency === 0) {
      throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429, {
        fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
      });
    }
    const requestId = options.requestId ?? randomUUID();
    const worker = await this.acquire(fn);
    try {
      return await this.run(fn, worker, requestId, payload, options);
    } finally {
      this.release(fn, worker);
    }
  }

  /** Code or configuration changed (or the function is gone): idle workers stop, busy ones after their invocation. */
  recycle(fn: FunctionRecord): void {
    const pool = this.pools.get(poolKey(fn));
    if (!pool) return;
    this.pools.delete(poolKey(fn));
    for (const w of pool.workers) {
      if (w.busy) w.retired = true;
      else w.kill();
    }
    for (const wake of pool.waiting) wake();
  }

  /**
   * A function was created or changed: its runtime's Node starts installing now, in the background
   * (progress in the local AWS's log), so its first invocation waits less or not at all.
   */
  prepare(fn: FunctionRecord): void {
    if (isNodeRuntime(fn.config.Runtime) && this.isCurrent(fn)) void this.nodes.nodeFor(fn.config.Runtime);
  }

  start(): void {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const pool of this.pools.values()) {
      for (const w of pool.workers) w.kill();
      for (const wake of pool.waiting) wake();
    }
    this.pools.clear();
  }

  private async run(fn: FunctionRecord, worker: Worker, requestId: string, payload: string, options: InvokeOptions): Promise<InvokeResult> {
    await worker.ready;
    const initLines = worker.drain();
    const cold = worker.initDurationMs;
    worker.initDurationMs = undefined;
    const startedAt = Date.now();
    const started = performance.now();
    const timeoutMs = fn.config.Timeout * 1000;
    let outcome: Outcome;
    if (worker.initError) {
      outcome = { kind: 'error', error: worker.initError, fatal: true };
    } else {
      outcome = await worker.invoke({
        requestId,
        payload,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: functionArn(fn.region, this.ctx.accountId, fn.config.FunctionName),
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
        ...(options.clientContext ? { clientContext: options.clientContext } : {}),
      });
    }
    if (outcome.kind === 'success' && Buffer.byteLength(outcome.payload) > MAX_RESPONSE) {
      outcome = {
        kind: 'error',
        error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE} bytes).` },
        maxMemoryMB: outcome.maxMemoryMB,
      };
    }
    const durationMs = outcome.kind === 'timeout' ? timeoutMs : performance.now() - started;
    const error = errorOf(outcome, requestId, fn.config.Timeout);
    const report: Report = {
      requestId,
      durationMs,
      memorySizeMB: fn.config.MemorySize,
      maxMemoryUsedMB: ('maxMemoryMB' in outcome && outcome.maxMemoryMB) || Math.min(fn.config.MemorySize, 64),
      ...(cold !== undefined ? { initDurationMs: cold } : {}),
      ...(outcome.kind === 'timeout' ? { status: 'timeout', timeoutSeconds: fn.config.Timeout } : {}),
      ...(outcome.kind === 'exit' || (outcome.kind === 'error' && outcome.fatal) ? { status: 'error', errorType: error?.errorType } : {}),
    };
    // A function running on a Node other than its runtime's says so in every invocation's log.
    const notice = worker.notice ? [{ timestamp: startedAt, message: worker.notice }] : [];
    const events = [...initLines, ...invocationEvents(fn.config.LoggingConfig, startedAt, [...notice, ...worker.drain()], report)];
    await this.writeLogs(fn, worker.streamName, events);
    return {
      requestId,
      payload: outcome.kind === 'success' ? outcome.payload : JSON.stringify(error),
      ...(error ? { functionError: 'Unhandled' as const, errorType: error.errorType } : {}),
      logTail: logTail(events),
    };
  }

  private async writeLogs(fn: FunctionRecord, stream: string, events: Array<{ timestamp: number; message: string }>): Promise<void> {
    let logs: LogsApi;
    try {
      logs = this.ctx.service<LogsApi>('logs');
    } catch {
      return; // running without CloudWatch Logs
    }
    // A function deleted while it ran (its stack being deleted) does not bring back its log group:
    // the group may be gone too, and a stack created next would find its name taken.
    const createGroup = this.isCurrent(fn);
    await logs.appendEvents(fn.region, fn.config.LoggingConfig.LogGroup, stream, events, { createGroup }).catch((e: unknown) => {
      console.error('[tap local] lambda: could not write logs:', e);
    });
  }

  private isCurrent(fn: FunctionRecord): boolean {
    try {
      return this.ctx.service<LocalLambda>('lambda').functions.get(fn.region, fn.config.FunctionName) === fn;
    } catch {
      return false;
    }
  }

  private async acquire(fn: FunctionRecord): Promise<Worker> {
    this.bootstrap ??= bootstrapPath(this.ctx.dataDir);
    const bootstrap = await this.bootstrap;
    // The first invocation of a runtime may install its Node here (the local AWS's log shows progress).
    const node = await this.nodes.nodeFor(fn.config.Runtime);
    for (;;) {
      if (this.stopped) throw new AwsError('ServiceException', 'tap local is stopping.', 500);
      let pool = this.pools.get(poolKey(fn));
      if (pool && (pool.revisionId !== fn.revisionId || pool.execPath !== node.execPath)) {
        this.recycle(fn);
        pool = undefined;
      }
      if (!pool) this.pools.set(poolKey(fn), (pool = { revisionId: fn.revisionId, execPath: node.execPath, workers: [], waiting: [] }));
      pool.workers = pool.workers.filter((w) => w.alive || w.busy);
      const idle = pool.workers.find((w) => !w.busy && w.alive);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      const limit = Math.max(1, Math.min(this.poolSize, fn.reservedConcurrency ?? Infinity));
      if (pool.workers.length < limit) {
        const worker = this.spawn(fn, bootstrap, node);
        worker.busy = true;
        pool.workers.push(worker);
        return worker;
      }
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
  }

  private release(fn: FunctionRecord, worker: Worker): void {
    worker.busy = false;
    const pool = this.pools.get(poolKey(fn));
    if (worker.retired || !worker.alive || this.stopped || !pool?.workers.includes(worker)) {
      worker.kill();
      if (pool) pool.workers = pool.workers.filter((w) => w !== worker);
    }
    pool?.waiting.shift()?.();
  }

  private spawn(fn: FunctionRecord, bootstrap: string, node: NodeChoice): Worker {
    const streamName = newStreamName();
    const c = fn.config;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      // On the fallback (this machine's Node, maybe older than the runtime names) the SDK's notice
      // about that Node belongs to the machine, not in the function's logs. On the runtime's own
      // Node the function sees what it would on AWS.
      ...(node.fallback ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
      ...(c.Environment?.Variables ?? {}),
      _HANDLER: c.Handler,
      LAMBDA_TASK_ROOT: this.code.folder(fn.code),
      AWS_EXECUTION_ENV: `AWS_Lambda_${c.Runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: c.FunctionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.MemorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: c.LoggingConfig.LogGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: streamName,
      AWS_LAMBDA_LOG_FORMAT: c.LoggingConfig.LogFormat,
      ...(c.LoggingConfig.LogFormat === 'JSON' ? { AWS_LAMBDA_LOG_LEVEL: c.LoggingConfig.ApplicationLogLevel ?? 'INFO' } : {}),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: fn.region,
      AWS_DEFAULT_REGION: fn.region,
      AWS_ACCESS_KEY_ID: LOCAL_LAMBDA_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_LAMBDA_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: LOCAL_LAMBDA_CREDENTIALS.sessionToken,
      // Not reserved in AWS, but locally the function must talk to the local AWS, whatever it set.
      AWS_ENDPOINT_URL: this.ctx.endpoint(),
    };
    return new Worker(
      {
        execPath: node.execPath,
        bootstrap,
        cwd: this.code.folder(fn.code),
        env,
        // The Node runtime gives V8's old space about 90% of the function's memory.
        execArgv: [`--max-old-space-size=${Math.floor(c.MemorySize * 0.9)}`],
        initTimeoutMs: 10_000 + c.Timeout * 1000,
        ...(node.fallback ? { notice: node.fallback } : {}),
      },
      streamName,
    );
  }
}

const poolKey = (fn: FunctionRecord) => `${fn.region}/${fn.config.FunctionName}`;

/** The error document Invoke returns for each way an invocation can fail. */
function errorOf(outcome: Outcome, requestId: string, timeoutSeconds: number): ErrorResponse | undefined {
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'error':
      return outcome.error;
    case 'timeout':
      return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` };
    case 'exit': {
      const e = exitError(outcome);
      return { errorType: e.errorType, errorMessage: `RequestId: ${requestId} Error: ${e.errorMessage}` };
    }
  }
}
