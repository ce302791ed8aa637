import { AwsError } from './errors.js';

/**
 * Fault switches for tests: make AWS do what it is allowed to but rarely shows. Set through the admin
 * API (`POST /_tap/faults`). In memory only: a restart clears them.
 */
export interface Fault {
  readonly service: string;
  /** Operation name (`BatchWriteItem`, `PutObject`, …), or `*` for any. */
  readonly operation: string;
  /** `error`: answer with an AWS error; `duplicate-delivery`: S3 sends each event notification twice. */
  readonly kind: 'error' | 'duplicate-delivery';
  readonly code?: string;
  readonly message?: string;
  readonly status?: number;
  /** How many times it fires; then it is gone. */
  remaining: number;
}

export class Faults {
  private readonly active: Fault[] = [];

  add(input: Partial<Fault> & { service: string }): Fault {
    const kind = input.kind ?? 'error';
    if (kind !== 'error' && kind !== 'duplicate-delivery') throw new AwsError('ValidationException', `unknown fault kind ${String(kind)}`);
    const fault: Fault = {
      service: input.service,
      operation: input.operation ?? '*',
      kind,
      remaining: Math.max(1, Math.floor(Number(input.remaining ?? 1))),
      ...(kind === 'error'
        ? {
            code: input.code ?? 'ThrottlingException',
            message: input.message ?? 'Rate exceeded (fault injected by tap local)',
            status: input.status ?? 400,
          }
        : {}),
    };
    this.active.push(fault);
    return fault;
  }

  list(): readonly Fault[] {
    return this.active;
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Consumes one firing of a matching fault of `kind`, if any. */
  take(service: string, operation: string, kind: Fault['kind']): Fault | undefined {
    const i = this.active.findIndex(
      (f) => f.kind === kind && f.service === service && (f.operation === '*' || f.operation === operation),
    );
    if (i < 0) return undefined;
    const fault = this.active[i]!;
    if (--fault.remaining <= 0) this.active.splice(i, 1);
    return fault;
  }

  /** Throws the injected error if an `error` fault matches. */
  maybeFail(service: string, operation: string): void {
    const fault = this.take(service, operation, 'error');
    if (fault) throw new AwsError(fault.code!, fault.message!, fault.status);
  }
}
