/** Recording stand-ins for the logger and metrics the handler is given (app.ts AppLogger, AppMetrics). */
import type { AppLogger, AppMetrics } from '../../../../src/handlers/app.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  [key: string]: unknown;
}

export class RecordingLogger implements AppLogger {
  readonly entries: LogEntry[] = [];
  private keys: Record<string, unknown> = {};
  contexts = 0;

  info(message: string, ...attributes: Record<string, unknown>[]): void {
    this.log('info', message, attributes);
  }
  warn(message: string, ...attributes: Record<string, unknown>[]): void {
    this.log('warn', message, attributes);
  }
  error(message: string, ...attributes: Record<string, unknown>[]): void {
    this.log('error', message, attributes);
  }
  appendKeys(keys: Record<string, unknown>): void {
    this.keys = { ...this.keys, ...keys };
  }
  removeKeys(keys: string[]): void {
    for (const key of keys) delete this.keys[key];
  }
  addContext(): void {
    this.contexts++;
  }

  private log(level: LogEntry['level'], message: string, attributes: Record<string, unknown>[]): void {
    this.entries.push({ level, message, ...this.keys, ...Object.assign({}, ...attributes) });
  }
}

export class RecordingMetrics implements AppMetrics {
  stored: Array<{ name: string; unit: string; value: number }> = [];
  readonly published: Array<Array<{ name: string; unit: string; value: number }>> = [];

  addMetric(name: string, unit: 'Count' | 'Bytes' | 'Milliseconds', value: number): void {
    this.stored.push({ name, unit, value });
  }
  publishStoredMetrics(): void {
    this.published.push(this.stored);
    this.stored = [];
  }
  hasStoredMetrics(): boolean {
    return this.stored.length > 0;
  }
}
