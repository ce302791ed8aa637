/**
 * One warm Lambda execution environment: a Node.js child process running bootstrap.ts, one invocation
 * at a time. Its stdout/stderr lines are the function's log lines; after each invocation the bootstrap
 * writes a sentinel line to both pipes before answering, so every line of an invocation has arrived
 * before the invocation is logged. The timeout kills the process, as AWS ends the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

const SENTINEL = '\u0000tap-lambda-flushed';

export interface LogLine {
  readonly timestamp: number;
  readonly message: string;
}

export interface ErrorResponse {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type Outcome =
  | { kind: 'success'; payload: string; maxMemoryMB: number }
  | { kind: 'error'; error: ErrorResponse; maxMemoryMB?: number; fatal?: boolean }
  | { kind: 'timeout' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

export interface WorkerSpec {
  /** The `node` binary: the runtime's Node.js (or this machine's, as the fallback). */
  readonly execPath: string;
  readonly bootstrap: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly execArgv: readonly string[];
  /** How long init (loading the handler) may take before the sandbox is given up. */
  readonly initTimeoutMs: number;
  /** A line for every invocation's log (the fallback to another Node). */
  readonly notice?: string;
}

export interface InvokeRequest {
  readonly requestId: string;
  readonly payload: string;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly clientContext?: string;
  readonly traceId: string;
}

/** `2026/01/31/[$LATEST]0123…`: AWS's stream name for one execution environment. */
export function newStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class Worker {
  readonly streamName: string;
  readonly notice: string | undefined;
  busy = false;
  /** Set on code/config change while busy: the worker is stopped after its invocation. */
  retired = false;
  /** Init duration, reported with the first invocation only (a cold start). */
  initDurationMs: number | undefined;
  initError: ErrorResponse | undefined;
  private readonly child: ChildProcess;
  private lines: LogLine[] = [];
  private sentinels = 0;
  private onSentinel: (() => void) | undefined;
  private settle: ((outcome: Outcome) => void) | undefined;
  private exited = false;
  private killed = false;
  /** The runtime hit an uncaught error and is exiting, as AWS's runtime does. */
  private dying = false;
  readonly ready: Promise<void>;

  constructor(spec: WorkerSpec, streamName: string) {
    this.streamName = streamName;
    this.notice = spec.notice;
    this.child = spawn(spec.execPath, [...spec.execArgv, spec.bootstrap], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.capture(this.child.stdout!);
    this.capture(this.child.stderr!);
    // A node that cannot start (a runtime removed by `tap local runtimes prune` meanwhile) is an exit.
    this.child.on('error', () => {
      this.exited = true;
      this.settle?.({ kind: 'exit', code: null, signal: null });
    });
    this.child.on('close', (code, signal) => {
      this.exited = true;
      this.settle?.({ kind: 'exit', code, signal });
    });
    this.child.on('message', (m: { type: string; [k: string]: unknown }) => this.onMessage(m));
    this.ready = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.initError = { errorType: 'Runtime.InitTimeout', errorMessage: `Init timed out after ${spec.initTimeoutMs / 1000} seconds` };
        this.kill();
        resolve();
      }, spec.initTimeoutMs);
      this.settle = (outcome) => {
        clearTimeout(timer);
        this.settle = undefined;
        if (outcome.kind === 'error') this.initError = outcome.error;
        else if (outcome.kind === 'exit') this.initError = exitError(outcome);
        resolve();
      };
    });
  }

  get alive(): boolean {
    // `killed` counts at once: the process's 'close' comes later, and until then the pool must not
    // hand this worker another invocation.
    return !this.exited && !this.killed && !this.dying && !this.initError;
  }

  /** Lines logged since the last call (init output, or an invocation's output). */
  drain(): LogLine[] {
    const out = this.lines;
    this.lines = [];
    return out;
  }

  invoke(request: InvokeRequest): Promise<Outcome> {
    this.busy = true;
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settle = undefined;
        this.kill();
        resolve({ kind: 'timeout' });
      }, Math.max(0, request.deadlineMs - Date.now()));
      this.sentinels = 0;
      this.settle = (outcome) => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(outcome);
      };
      try {
        this.child.send({ type: 'invoke', ...request });
      } catch {
        this.settle({ kind: 'exit', code: this.child.exitCode, signal: this.child.signalCode });
      }
    });
    // `busy` stays set until the runner releases the worker (after the invocation's logs are written):
    // cleared here, a waiting invocation could take the worker while this one still holds it, and the
    // second invoke's `settle` would replace the first's (which then timed out).
  }

  kill(): void {
    this.killed = true;
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private onMessage(m: { type: string; [k: string]: unknown }): void {
    if (m.type === 'dying') {
      this.dying = true;
    } else if (m.type === 'ready') {
      this.initDurationMs = m.initDurationMs as number;
      this.settle?.({ kind: 'success', payload: '', maxMemoryMB: 0 });
    } else if (m.type === 'initError') {
      void this.afterSentinels().then(() => this.settle?.({ kind: 'error', error: m.error as ErrorResponse }));
    } else if (m.type === 'result') {
      const outcome = m.outcome as { ok: true; payload: string } | { ok: false; error: ErrorResponse };
      const maxMemoryMB = m.maxMemoryMB as number;
      void this.afterSentinels().then(() =>
        this.settle?.(outcome.ok ? { kind: 'success', payload: outcome.payload, maxMemoryMB } : { kind: 'error', error: outcome.error, maxMemoryMB }),
      );
    }
  }

  /** Both pipes have delivered the sentinel (or a short grace period passed). */
  private afterSentinels(): Promise<void> {
    if (this.sentinels >= 2) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.onSentinel = () => {
        if (this.sentinels >= 2) {
          this.onSentinel = undefined;
          done();
        }
      };
    });
  }

  private capture(stream: Readable): void {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.line(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      if (pending) this.line(pending);
    });
  }

  private line(raw: string): void {
    if (raw === SENTINEL) {
      this.sentinels++;
      this.onSentinel?.();
      return;
    }
    // The runtime writes one console call per line, its newlines as \r (as AWS's runtime does).
    const message = raw.replace(/\r$/, '').replace(/\r/g, '\n');
    if (message.trim() !== '') this.lines.push({ timestamp: Date.now(), message });
  }
}

export function exitError(outcome: { code: number | null; signal: NodeJS.Signals | null }): ErrorResponse {
  const how = outcome.signal ? `signal: ${outcome.signal === 'SIGKILL' ? 'killed' : outcome.signal}` : `exit status ${outcome.code}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${how}` };
}
