/**
 * Runs the real `bin/tap` on a pseudo-terminal (util-linux `script`), so spinners run and Ctrl-C is
 * the byte a person types (\x03), turned into SIGINT by the terminal's line discipline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { TAP_BIN } from './cli.js';

export const hasScript = spawnSync('script', ['--version']).status === 0;

export interface PtyRun {
  readonly code: number | null;
  /** What the terminal showed, escape sequences removed. */
  readonly screen: string;
  /** Milliseconds from the first Ctrl-C to the exit (undefined when none was sent). */
  readonly afterInterruptMs?: number;
}

export interface PtyOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Type Ctrl-C this many times (200 ms apart) once the screen shows this text. */
  readonly interruptWhen?: string;
  readonly presses?: number;
  readonly timeoutMs?: number;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function runOnPty(args: string[], options: PtyOptions): Promise<PtyRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_') && k !== 'TAP_ENV') env[k] = v;
  // A pty that `script` opens without a terminal of its own has no size: give it one, as a window has.
  const command = `stty cols 120 rows 40; exec ${quote(process.execPath)} ${quote(TAP_BIN)} ${args.map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { ...env, NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent/tap-test/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/tap-test/credentials', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let sentAt: number | undefined;
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  child.stdout.on('data', (d: Buffer) => {
    raw += d.toString();
    if (sentAt === undefined && options.interruptWhen && raw.includes(options.interruptWhen)) {
      sentAt = Date.now();
      for (let i = 0; i < (options.presses ?? 1); i++) setTimeout(() => child.stdin.write('\x03'), i * 200);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const screen = stripVTControlCharacters(raw).replace(/\r/g, '');
      resolve({ code, screen, ...(sentAt !== undefined ? { afterInterruptMs: Date.now() - sentAt } : {}) });
    });
  });
}

/** Keeps one core busy (a loaded machine) until stopped; bounded to a minute in case it is forgotten. */
export function busyCpu(): { stop(): void } {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end) {}'], { stdio: 'ignore' });
  return { stop: () => child.kill('SIGKILL') };
}
