/**
 * The Node.js runtime inside one local Lambda worker process (the counterpart of AWS's runtime
 * interface client). The runner spawns it with the function's environment and the code folder as its
 * working directory; it loads `_HANDLER` from `LAMBDA_TASK_ROOT` the way AWS's Node runtime does, then
 * runs one invocation at a time as the parent sends them over the IPC channel.
 *
 * Self-contained on purpose (node: builtins only): it is run as compiled JS from dist/, or, under
 * vitest, after a one-file esbuild transform (see runtime.ts), so it must not import siblings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

/** Written to stdout and stderr after each invocation, so the parent knows it has every log line. */
const SENTINEL = '\u0000tap-lambda-flushed';

interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  payload: string;
  deadlineMs: number;
  invokedFunctionArn: string;
  clientContext?: string;
  traceId: string;
}

interface ErrorResponse {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type Handler = (event: unknown, context: unknown, callback: (err?: unknown, result?: unknown) => void) => unknown;

const env = process.env;
const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
const jsonFormat = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
let currentRequestId: string | undefined;
let finish: ((outcome: { ok: true; payload: string } | { ok: false; error: ErrorResponse }) => void) | undefined;

const send = (message: unknown) => process.send?.(message);

// ---- console: what AWS's runtime does (LogPatch) -------------------------------------------------

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
type Level = (typeof LEVELS)[number];

function serializeError(value: Error): Record<string, unknown> {
  return { errorType: value.constructor?.name ?? 'UnknownError', errorMessage: value.message, stackTrace: value.stack?.split('\n'), ...value };
}

function jsonLine(level: Level, params: unknown[]): string {
  const base: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (params.length === 1) {
    try {
      return JSON.stringify({ ...base, message: params[0] }, (_k, v: unknown) => (v instanceof Error ? serializeError(v) : v));
    } catch {
      return JSON.stringify({ ...base, message: format(params[0]) });
    }
  }
  const error = params.find((p): p is Error => p instanceof Error);
  return JSON.stringify({
    ...base,
    message: format(...params),
    ...(error ? { errorType: error.constructor?.name, errorMessage: error.message, stackTrace: error.stack?.split('\n') ?? [] } : {}),
  });
}

function patchConsole(): void {
  const threshold = jsonFormat ? Math.max(0, LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL ?? 'TRACE').toUpperCase() as Level)) : 0;
  const log = (level: Level) => (...params: unknown[]) => {
    const line = jsonFormat
      ? jsonLine(level, params)
      : `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...params)}`;
    // One event per call: newlines become \r, and the parent turns them back (as AWS's runtime does).
    process.stdout.write(`${line.replace(/\n/g, '\r')}\n`);
  };
  const on = (level: Level) => (LEVELS.indexOf(level) >= threshold ? log(level) : () => {});
  const c = console as unknown as Record<string, unknown>;
  c.trace = on('TRACE');
  c.debug = on('DEBUG');
  c.info = on('INFO');
  c.log = c.info;
  c.warn = on('WARN');
  c.error = on('ERROR');
  c.fatal = log('FATAL');
}

// ---- errors: the shapes AWS's runtime reports ------------------------------------------------------

function toResponse(error: unknown, typeOverride?: string): ErrorResponse {
  if (error instanceof Error) {
    return {
      errorType: typeOverride ?? error.name,
      errorMessage: typeOverride ? String(error) : error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeOverride ?? typeof error, errorMessage: String(error), trace: [] };
}

function logInvokeError(response: ErrorResponse, label: string): void {
  if (jsonFormat) console.error({ errorType: response.errorType, errorMessage: response.errorMessage, stackTrace: response.trace });
  else console.error(label, `\t${JSON.stringify({ errorType: response.errorType, errorMessage: response.errorMessage, stack: response.trace })}`);
}

// ---- loading the handler: UserFunction.load's order ------------------------------------------------

class RuntimeError extends Error {
  constructor(type: string, message: string) {
    super(message);
    this.name = `Runtime.${type}`;
  }
}

function packageTypeModule(folder: string): boolean {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (dir.endsWith('/node_modules')) return false;
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        return (JSON.parse(readFileSync(pj, 'utf8')) as { type?: string }).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

async function loadModule(appRoot: string, moduleRoot: string, name: string): Promise<unknown> {
  const require = createRequire(join(appRoot, 'index.js'));
  const file = resolve(appRoot, moduleRoot, name);
  const cjs = (ext: string) => (existsSync(file + ext) ? require(file + ext) : undefined);
  const esm = async (ext: string) => (existsSync(file + ext) ? await import(pathToFileURL(file + ext).href) : undefined);
  const isModule = packageTypeModule(dirname(file));
  return (
    cjs('') ??
    (!isModule ? cjs('.js') : undefined) ??
    (isModule ? await esm('.js') : undefined) ??
    (await esm('.mjs')) ??
    cjs('.cjs') ??
    require(require.resolve(name, { paths: [appRoot, moduleRoot] }))
  );
}

async function loadHandler(): Promise<Handler> {
  const full = env._HANDLER ?? '';
  if (full.includes('..')) {
    throw new RuntimeError('MalformedHandlerName', `'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = basename(full);
  const moduleRoot = full.substring(0, full.indexOf(handlerString));
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  let mod: unknown;
  try {
    mod = await loadModule(taskRoot, moduleRoot, match[1]!);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(e));
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', String(e));
    throw e;
  }
  const fn = match[2]!.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], mod);
  if (!fn) throw new RuntimeError('HandlerNotFound', `${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeError('HandlerNotFound', `${full} is not a function`);
  return fn as Handler;
}

// ---- invoking ----------------------------------------------------------------------------------

function flushThen(message: unknown): void {
  process.stdout.write(`\n${SENTINEL}\n`, () => process.stderr.write(`\n${SENTINEL}\n`, () => send(message)));
}

function invoke(handler: Handler, msg: InvokeMessage): void {
  currentRequestId = msg.requestId;
  (globalThis as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.requestId')] = msg.requestId;
  env._X_AMZN_TRACE_ID = msg.traceId;
  let waits = true;
  let settled = false;
  finish = (outcome) => {
    if (settled) return;
    settled = true;
    finish = undefined;
    if (!outcome.ok) logInvokeError(outcome.error, 'Invoke Error');
    flushThen({ type: 'result', requestId: msg.requestId, outcome, maxMemoryMB: Math.ceil(process.memoryUsage.rss() / 1048576) });
  };
  const succeed = (result: unknown) => {
    let payload: string;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      return finish?.({ ok: false, error: toResponse(e) });
    }
    finish?.({ ok: true, payload });
  };
  const fail = (error: unknown) => finish?.({ ok: false, error: toResponse(error) });
  const context = {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: msg.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: msg.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: msg.clientContext ? (JSON.parse(Buffer.from(msg.clientContext, 'base64').toString('utf8')) as unknown) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waits = value;
    },
    succeed,
    fail,
    done: (error?: unknown, result?: unknown) => (error ? fail(error) : succeed(result)),
  };
  const callback = (error?: unknown, result?: unknown) => (error !== undefined && error !== null ? fail(error) : succeed(result));
  try {
    const event: unknown = msg.payload === '' ? {} : JSON.parse(msg.payload);
    const returned = handler(event, context, callback);
    if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(succeed, fail);
  } catch (error) {
    fail(error);
  }
}

async function main(): Promise<void> {
  patchConsole();
  // In AWS an uncaught error fails the running invocation and the runtime process exits.
  const crash = (type: string) => (error: unknown) => {
    send({ type: 'dying' }); // so the runner gives this worker no further invocation
    const response = toResponse(error, type === 'UnhandledPromiseRejection' ? `Runtime.${type}` : undefined);
    if (finish) {
      const done = finish;
      done({ ok: false, error: response });
    } else {
      logInvokeError(response, 'Uncaught Exception');
    }
    setTimeout(() => process.exit(129), 50);
  };
  process.on('uncaughtException', crash('UncaughtException'));
  process.on('unhandledRejection', crash('UnhandledPromiseRejection'));
  process.on('disconnect', () => process.exit(0));

  const started = performance.now();
  let handler: Handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const response = toResponse(error);
    logInvokeError(response, 'Uncaught Exception');
    flushThen({ type: 'initError', error: response });
    return;
  }
  process.on('message', (msg: InvokeMessage) => {
    if (msg?.type === 'invoke') invoke(handler, msg);
  });
  send({ type: 'ready', initDurationMs: performance.now() - started });
}

void main();
