/**
 * Asynchronous (Event) invocations: each accepted event is a file under `<data-dir>/lambda/async/`
 * until it is done, so a restart resumes it. As in AWS: up to MaximumRetryAttempts (default 2) retries
 * after a function error, never past MaximumEventAgeInSeconds (default 6 hours); then the invocation
 * record goes to the OnFailure destination and the event to the DeadLetterConfig queue; successes to
 * OnSuccess. AWS waits about 1 and 2 minutes between attempts; locally the delays are short and set by
 * TAP_LAMBDA_RETRY_DELAYS_MS (comma-separated milliseconds, default "1000,2000").
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../../errors.js';
import type { LocalContext } from '../../service.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';
import type { LambdaApi, SqsApi } from '../contracts.js';
import type { FunctionRecord } from './model.js';
import type { InvokeResult, Runner } from './runner.js';
import type { FunctionStore } from './store.js';

interface PendingEvent {
  requestId: string;
  region: string;
  functionName: string;
  payload: string;
  enqueuedAt: number;
  attempts: number;
}

export function retryDelays(): number[] {
  const raw = process.env.TAP_LAMBDA_RETRY_DELAYS_MS;
  const parsed = raw?.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n) && n >= 0);
  return parsed?.length ? parsed : [1000, 2000];
}

export class AsyncInvoker {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly dir: string;

  constructor(
    private readonly ctx: LocalContext,
    private readonly store: FunctionStore,
    private readonly runner: Runner,
    private readonly delays = retryDelays(),
  ) {
    this.dir = join(ctx.dataDir, 'lambda', 'async');
  }

  async start(): Promise<void> {
    this.stopped = false;
    for (const file of await readdir(this.dir).catch(() => [] as string[])) {
      if (!file.endsWith('.json')) continue;
      const event = await readJsonIfExists<PendingEvent>(join(this.dir, file), { lost: `an asynchronous Lambda invocation (file ${file}), not run` });
      if (event) this.schedule(event, 0);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Accepts an event (on disk before Invoke answers 202) and runs it soon. */
  async enqueue(fn: FunctionRecord, payload: string, requestId: string): Promise<void> {
    const event: PendingEvent = { requestId, region: fn.region, functionName: fn.config.FunctionName, payload, enqueuedAt: Date.now(), attempts: 0 };
    await writeJsonAtomic(this.file(event), event);
    this.schedule(event, 0);
  }

  private schedule(event: PendingEvent, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event).catch((e: unknown) => console.error('[tap local] lambda: async invocation failed:', e));
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(event: PendingEvent): Promise<void> {
    let fn: FunctionRecord;
    try {
      fn = this.store.get(event.region, event.functionName);
    } catch {
      return this.done(event); // the function was deleted: the event goes with it
    }
    event.attempts++;
    let result: InvokeResult | undefined;
    let serviceError: AwsError | undefined;
    try {
      result = await this.runner.invoke(fn, event.payload, { requestId: event.requestId });
    } catch (error) {
      serviceError = error instanceof AwsError ? error : new AwsError('ServiceException', String(error), 500);
    }
    // Stopping kills workers mid-invocation: that is not the function's failure; retry after restart.
    if (this.stopped) return;
    const config = fn.eventInvokeConfig;
    if (result && !result.functionError) {
      await this.deliver(fn, config?.DestinationConfig?.OnSuccess?.Destination, record(fn, this.ctx.accountId, event, 'Success', result));
      return this.done(event);
    }
    const maxRetries = config?.MaximumRetryAttempts ?? 2;
    const maxAgeMs = (config?.MaximumEventAgeInSeconds ?? 21_600) * 1000;
    const delay = this.delays[Math.min(event.attempts - 1, this.delays.length - 1)] ?? 0;
    const tooOld = Date.now() + delay - event.enqueuedAt > maxAgeMs;
    if (event.attempts <= maxRetries && !tooOld) {
      await writeJsonAtomic(this.file(event), event);
      return this.schedule(event, delay);
    }
    const failure = record(fn, this.ctx.accountId, event, tooOld ? 'EventAgeExceeded' : 'RetriesExhausted', result, serviceError);
    await this.deliver(fn, config?.DestinationConfig?.OnFailure?.Destination, failure);
    await this.deliver(fn, fn.config.DeadLetterConfig?.TargetArn, event.payload);
    await this.done(event);
  }

  /** Sends to an SQS queue or (asynchronously) to a Lambda function; other targets are not emulated. */
  private async deliver(fn: FunctionRecord, arn: string | undefined, body: unknown): Promise<void> {
    if (!arn) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      if (arn.includes(':sqs:')) await this.ctx.service<SqsApi>('sqs').sendByArn(arn, text);
      else if (arn.includes(':lambda:')) await this.ctx.service<LambdaApi>('lambda').invokeAsyncByArn(arn, text);
      else console.error(`[tap local] lambda: ${fn.config.FunctionName}: destination ${arn} is not emulated; record dropped.`);
    } catch (error) {
      console.error(`[tap local] lambda: ${fn.config.FunctionName}: could not deliver to ${arn}:`, (error as Error).message);
    }
  }

  private async done(event: PendingEvent): Promise<void> {
    await removeIfExists(this.file(event));
  }

  private file(event: PendingEvent): string {
    return join(this.dir, `${event.requestId}.json`);
  }
}

/** The invocation record destinations receive (Lambda docs, "Capturing records of asynchronous invocations"). */
function record(fn: FunctionRecord, accountId: string, event: PendingEvent, condition: string, result?: InvokeResult, error?: AwsError) {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: event.requestId,
      functionArn: `arn:aws:lambda:${fn.region}:${accountId}:function:${fn.config.FunctionName}:$LATEST`,
      condition,
      approximateInvokeCount: event.attempts,
    },
    requestPayload: parseOr(event.payload),
    responseContext: {
      statusCode: error ? error.status : 200,
      executedVersion: '$LATEST',
      ...(result?.functionError ? { functionError: result.functionError } : {}),
    },
    responsePayload: error ? { errorType: error.code, errorMessage: error.message } : parseOr(result?.payload ?? 'null'),
  };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
