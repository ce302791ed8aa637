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

  /** Checks a fault as sent to the admin API (any JSON) and switches it on. */
  add(raw: unknown): Fault {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('a fault is a JSON object: { "service": "s3", "operation": "PutObject", ... }');
    const input = raw as Partial<Record<keyof Fault, unknown>>;
    if (typeof input.service !== 'string' || !input.service) throw invalid('"service" must name a service (s3, sqs, dynamodb, ...)');
    for (const key of ['operation', 'code', 'message'] as const) {
      if (input[key] !== undefined && typeof input[key] !== 'string') throw invalid(`"${key}" must be a string`);
    }
    if (typeof input.code === 'string' && !/^[A-Za-z0-9._:#-]{1,128}$/.test(input.code)) throw invalid('"code" must be an AWS error code such as ThrottlingException');
    const kind = input.kind ?? 'error';
    if (kind !== 'error' && kind !== 'duplicate-delivery') throw invalid(`unknown fault kind ${String(kind).slice(0, 50)}: use "error" or "duplicate-delivery"`);
    const status = input.status ?? 400;
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
      throw invalid(`"status" must be an HTTP error status from 400 to 599, not ${JSON.stringify(status)?.slice(0, 50)}`);
    }
    const remaining = Number(input.remaining ?? 1);
    if (!Number.isFinite(remaining)) throw invalid('"remaining" must be a number');
    const fault: Fault = {
      service: input.service,
      operation: (input.operation as string | undefined) ?? '*',
      kind,
      remaining: Math.max(1, Math.floor(remaining)),
      ...(kind === 'error'
        ? {
            code: (input.code as string | undefined) ?? 'ThrottlingException',
            message: (input.message as string | undefined) ?? 'Rate exceeded (fault injected by tap local)',
            status: status as number,
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

const invalid = (message: string) => new AwsError('ValidationException', `Invalid fault: ${message}.`);
