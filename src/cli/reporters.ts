import type { ProgressEvent, Reporter } from '../ops/reporter.js';
import { formatDuration } from '../ops/units.js';

export interface ReporterOptions {
  /** Machine-readable output was asked for: progress becomes NDJSON on stderr. */
  readonly json: boolean;
  readonly stream?: NodeJS.WriteStream;
}

/** Progress goes to stderr so stdout carries only the result: a spinner on a TTY, lines otherwise. */
export async function createReporter(options: ReporterOptions): Promise<Reporter> {
  const stream = options.stream ?? process.stderr;
  if (options.json) return ndjsonReporter(stream);
  // A terminal of no width (a pty nobody sized, as under `script` without a terminal) cannot hold a
  // spinner: ora would compute endless lines to clear. It gets plain lines.
  if (stream.isTTY && !process.env.CI && (stream.columns ?? 0) > 0) return spinnerReporter(stream);
  return lineReporter(stream);
}

function ndjsonReporter(stream: NodeJS.WritableStream): Reporter {
  return { emit: (event) => void stream.write(`${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`) };
}

/** Plain lines for a log: progress is throttled, the rest is written as it comes. */
function lineReporter(stream: NodeJS.WritableStream): Reporter {
  return throttledLines((line) => void stream.write(`${line}\n`));
}

/** A log needs no more than this between two progress lines that say the same thing. */
export const PROGRESS_LINE_INTERVAL_MS = 10_000;

/**
 * Progress as plain lines, for a pipe or CI: a line when the state changes (its counts, or its words
 * with the numbers left out, so a ticking `(12 s)` is no change) and at most one per
 * PROGRESS_LINE_INTERVAL_MS otherwise, not one per poll.
 */
export function throttledLines(write: (line: string) => void, now: () => number = Date.now): Reporter {
  let lastState = '';
  let lastAt = -Infinity;
  return {
    emit(event) {
      if (event.type !== 'progress') {
        lastState = '';
        return write(plain(event));
      }
      // Byte counts move with every chunk: for them only the words (the file) make a new state.
      const state = `${event.unit === 'bytes' ? '' : `${event.done}/${event.total}`} ${event.message.replace(/[\d.,]+/g, '#')}`;
      const at = now();
      if (state === lastState && at - lastAt < PROGRESS_LINE_INTERVAL_MS) return;
      lastState = state;
      lastAt = at;
      write(plain(event));
    },
  };
}

function plain(event: ProgressEvent): string {
  switch (event.type) {
    case 'step':
      return `… ${event.message}`;
    case 'done':
      return `✓ ${event.message} (${formatDuration(event.ms)})`;
    case 'fail':
      return `✗ ${event.message}`;
    case 'info':
      return `  ${event.message}`;
    case 'warn':
      return `! ${event.message}`;
    case 'progress':
      return `  ${counter(event)}${event.message}`;
  }
}

/** Spinners still turning, so an error can stop them before it is printed (and the process can end). */
const active = new Set<{ stop(): unknown }>();

export function stopSpinners(): void {
  for (const spinner of active) spinner.stop();
}

async function spinnerReporter(stream: NodeJS.WriteStream): Promise<Reporter> {
  const { default: ora } = await import('ora');
  // discardStdin would put stdin in raw mode: Ctrl-C becomes a byte that a busy event loop reads late.
  const spinner = ora({ stream, discardStdin: false });
  active.add(spinner);
  // Elapsed time on the spinner, so a long wait shows it is alive even when nothing else changes.
  let text = '';
  let since = Date.now();
  const show = () => {
    const seconds = Math.floor((Date.now() - since) / 1000);
    if (seconds < 2) spinner.text = text;
    // A message that carries its own clock (`· 3.2 s`, `(12 s)`) has it kept running between events.
    else if (/[\d.]+ s\)?$/.test(text)) spinner.text = text.replace(/[\d.]+ s(\)?)$/, `${seconds} s$1`);
    else spinner.text = `${text} (${seconds} s)`;
  };
  const ticker = setInterval(() => spinner.isSpinning && show(), 1000);
  ticker.unref();
  const begin = (message: string) => {
    text = message;
    since = Date.now();
    spinner.start(message);
  };
  return {
    emit(event) {
      switch (event.type) {
        case 'step':
          begin(event.message);
          break;
        case 'done':
          spinner.succeed(`${event.message} (${formatDuration(event.ms)})`);
          break;
        case 'fail':
          spinner.fail(event.message);
          break;
        case 'info':
          spinner.info(event.message);
          break;
        case 'warn':
          spinner.warn(event.message);
          break;
        case 'progress': {
          // A wait that started no step of its own (upload's transfer and --wait) still gets a spinner.
          const line = event.unit === 'bytes' ? `${bar(event.done, event.total)} ${event.message}` : `${counter(event)}${event.message}`;
          if (!spinner.isSpinning) begin(line);
          text = line;
          show();
          break;
        }
      }
    },
  };
}

/** `[3/19] ` for counts; nothing for bytes, whose message already says how far along it is. */
function counter(event: Extract<ProgressEvent, { type: 'progress' }>): string {
  return event.unit === 'bytes' ? '' : `[${event.done}/${event.total}] `;
}

/** `[██████░░░░░░░░░░░░░░]`: how far along, for a terminal. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
