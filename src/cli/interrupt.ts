/**
 * Ctrl-C for long commands. The first one fires an AbortSignal: the operation stops at its next
 * safe point and says what it left behind (exit 130). The second quits at once, also exit 130.
 *
 * Spinners leave the terminal in cooked mode (ora's `discardStdin: false`), so Ctrl-C reaches the
 * process as a real SIGINT from the terminal, not as a byte that waits for a busy event loop.
 */
import { INTERRUPTED_EXIT_CODE } from '../ops/abort.js';
import type { Reporter } from '../ops/reporter.js';
import { stopSpinners } from './reporters.js';

export interface InterruptTrap {
  readonly signal: AbortSignal;
  /** Gives Ctrl-C back to Node's default (the command is over). */
  release(): void;
}

export function trapInterrupt(reporter: Reporter): InterruptTrap {
  const controller = new AbortController();
  const onSignal = () => {
    if (!controller.signal.aborted) {
      reporter.emit({ type: 'warn', code: 'TAP_INTERRUPT', message: 'Stopping… (Ctrl-C again to quit at once)' });
      controller.abort();
      return;
    }
    stopSpinners();
    process.stderr.write('Quit at once: what was running on AWS goes on without tap watching it.\n');
    process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, release: () => process.removeListener('SIGINT', onSignal) };
}
