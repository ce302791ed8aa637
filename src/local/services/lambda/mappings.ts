/**
 * Event source mappings (SQS only), one JSON file each under `<data-dir>/lambda/mappings/`, and a
 * poller per enabled mapping. Pollers start with the service (so they resume after a restart) and
 * stop when a mapping is disabled or deleted, or the service stops.
 *
 * A new mapping starts polling a moment after it is created, as on AWS (its State is `Creating`;
 * AWS: "it may take several minutes to start polling"). Locally the moment is short, but it keeps
 * the first invocation, and the worker process it spawns, out of the operation that created the
 * mapping (a CloudFormation create: S3's test event is already in the queue by then).
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalContext } from '../../service.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';
import type { SqsApi } from '../contracts.js';
import { conflict, invalidParameter, notFound, validation } from './errors.js';
import { SqsPoller } from './poller.js';
import type { InvokeResult } from './runner.js';
import type { FunctionStore } from './store.js';
import type { FunctionRecord } from './model.js';

export interface Mapping {
  UUID: string;
  region: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  Enabled: boolean;
  FunctionResponseTypes: string[];
  ScalingConfig?: { MaximumConcurrency: number };
  LastModified: number;
}

type Input = Record<string, any>;

/** How long a new mapping is `Creating` before its poller starts (see the header). */
const START_DELAY_MS = 1000;

export class MappingStore {
  private readonly mappings = new Map<string, Mapping>();
  private readonly pollers = new Map<string, SqsPoller>();
  private running = false;

  constructor(
    private readonly ctx: LocalContext,
    private readonly functions: FunctionStore,
    private readonly invoke: (fn: FunctionRecord, payload: string) => Promise<InvokeResult>,
    private readonly maxConcurrency: number,
  ) {}

  private get dir(): string {
    return join(this.ctx.dataDir, 'lambda', 'mappings');
  }

  async start(): Promise<void> {
    this.mappings.clear();
    for (const file of await readdir(this.dir).catch(() => [] as string[])) {
      if (file.endsWith('.json')) {
        const m = await readJsonIfExists<Mapping>(join(this.dir, file), { lost: `an event source mapping (file ${file})` });
        if (m) this.mappings.set(m.UUID, m);
      }
    }
    this.running = true;
    for (const m of this.mappings.values()) this.sync(m);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    this.pollers.clear();
  }

  get(uuid: string): Mapping {
    const m = this.mappings.get(uuid);
    if (!m) throw notFound('The resource you requested does not exist.');
    return m;
  }

  list(region: string, filter: { EventSourceArn?: string; FunctionName?: string }): Mapping[] {
    const fnArn = filter.FunctionName ? this.functions.arn(this.functions.get(region, filter.FunctionName)) : undefined;
    return [...this.mappings.values()]
      .filter((m) => m.region === region && (!filter.EventSourceArn || m.EventSourceArn === filter.EventSourceArn) && (!fnArn || m.FunctionArn === fnArn))
      .sort((a, b) => a.LastModified - b.LastModified || (a.UUID < b.UUID ? -1 : 1));
  }

  async create(region: string, input: Input): Promise<Mapping> {
    const fn = this.functionFor(region, input.FunctionName);
    const source = String(input.EventSourceArn ?? '');
    if (!/^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(source)) {
      throw invalidParameter(`tap local emulates SQS event sources only; ${source || 'no EventSourceArn'} is not an SQS queue ARN.`);
    }
    const existing = [...this.mappings.values()].find((m) => m.EventSourceArn === source && m.FunctionArn === this.functions.arn(fn));
    if (existing) {
      throw conflict(
        `An event source mapping with SQS arn (" ${source} ") and function (" ${fn.config.FunctionName} ") already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`,
      );
    }
    const mapping = this.settings({ UUID: randomUUID(), region, EventSourceArn: source, FunctionArn: this.functions.arn(fn), BatchSize: 10, MaximumBatchingWindowInSeconds: 0, Enabled: true, FunctionResponseTypes: [], LastModified: 0 }, input);
    await this.checkQueue(source, fn);
    await this.save(mapping, START_DELAY_MS);
    return mapping;
  }

  async update(uuid: string, input: Input): Promise<Mapping> {
    const current = this.get(uuid);
    const fn = input.FunctionName !== undefined ? this.functionFor(current.region, input.FunctionName) : undefined;
    const next = this.settings({ ...current, ...(fn ? { FunctionArn: this.functions.arn(fn) } : {}) }, input);
    await this.save(next);
    return next;
  }

  async delete(uuid: string): Promise<Mapping> {
    const m = this.get(uuid);
    this.mappings.delete(uuid);
    await this.pollers.get(uuid)?.stop();
    this.pollers.delete(uuid);
    await removeIfExists(join(this.dir, `${uuid}.json`));
    return m;
  }

  shape(m: Mapping, state?: string) {
    return {
      UUID: m.UUID,
      BatchSize: m.BatchSize,
      MaximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds,
      EventSourceArn: m.EventSourceArn,
      FunctionArn: m.FunctionArn,
      LastModified: m.LastModified,
      State: state ?? (m.Enabled ? 'Enabled' : 'Disabled'),
      StateTransitionReason: 'USER_INITIATED',
      FunctionResponseTypes: m.FunctionResponseTypes,
      ...(m.ScalingConfig ? { ScalingConfig: m.ScalingConfig } : {}),
      EventSourceMappingArn: `arn:aws:lambda:${m.region}:${this.ctx.accountId}:event-source-mapping:${m.UUID}`,
    };
  }

  private functionFor(region: string, name: unknown): FunctionRecord {
    if (typeof name !== 'string' || !name) throw validation(name, 'functionName', 'Member must not be null');
    return this.functions.get(region, name);
  }

  /** Applies and checks the tunable settings (API reference, CreateEventSourceMapping; SQS limits). */
  private settings(m: Mapping, input: Input): Mapping {
    if (input.FilterCriteria) throw invalidParameter('tap local does not emulate FilterCriteria on event source mappings.');
    const next: Mapping = {
      ...m,
      BatchSize: input.BatchSize ?? m.BatchSize,
      MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? m.MaximumBatchingWindowInSeconds,
      Enabled: input.Enabled ?? m.Enabled,
      FunctionResponseTypes: input.FunctionResponseTypes ?? m.FunctionResponseTypes,
      LastModified: Date.now() / 1000,
    };
    if (input.ScalingConfig !== undefined) {
      const max = input.ScalingConfig?.MaximumConcurrency;
      if (max === undefined || max === null) delete next.ScalingConfig;
      else if (!Number.isInteger(max) || max < 2 || max > 1000) throw validation(max, 'scalingConfig.maximumConcurrency', 'Member must have value between 2 and 1000');
      else next.ScalingConfig = { MaximumConcurrency: max };
    }
    if (!Number.isInteger(next.BatchSize) || next.BatchSize < 1 || next.BatchSize > 10_000) {
      throw validation(next.BatchSize, 'batchSize', 'Member must have value between 1 and 10000');
    }
    const window = next.MaximumBatchingWindowInSeconds;
    if (!Number.isInteger(window) || window < 0 || window > 300) {
      throw validation(window, 'maximumBatchingWindowInSeconds', 'Member must have value between 0 and 300');
    }
    if (next.BatchSize > 10 && window < 1) {
      throw invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    }
    if (next.FunctionResponseTypes.some((t) => t !== 'ReportBatchItemFailures')) {
      throw validation(next.FunctionResponseTypes, 'functionResponseTypes', 'Member must satisfy enum value set: [ReportBatchItemFailures]');
    }
    return next;
  }

  /** The queue must exist and its visibility timeout must cover the function's timeout, as AWS checks. */
  private async checkQueue(arn: string, fn: FunctionRecord): Promise<void> {
    let attributes: Record<string, string>;
    try {
      attributes = await this.ctx.service<SqsApi>('sqs').attributesByArn(arn);
    } catch (error) {
      throw invalidParameter(`Error occurred while ReceiveMessage. SQS Error Message: ${(error as Error).message}`);
    }
    const visibility = Number(attributes.VisibilityTimeout ?? 30);
    if (visibility < fn.config.Timeout) {
      throw invalidParameter(`Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.config.Timeout} seconds`);
    }
  }

  private async save(m: Mapping, startDelayMs = 0): Promise<void> {
    this.mappings.set(m.UUID, m);
    await writeJsonAtomic(join(this.dir, `${m.UUID}.json`), m);
    this.sync(m, startDelayMs);
  }

  /** One poller per enabled mapping, restarted when its settings change. */
  private sync(m: Mapping, startDelayMs = 0): void {
    if (!this.running) return;
    const old = this.pollers.get(m.UUID);
    this.pollers.delete(m.UUID);
    // unref: a mapping about to start polling keeps no process alive.
    const restart = old ? old.stop() : startDelayMs ? new Promise<void>((r) => setTimeout(r, startDelayMs).unref()) : Promise.resolve();
    if (!m.Enabled) return;
    const poller = restart.then(() => {
      if (!this.running || this.mappings.get(m.UUID) !== m) return;
      const p = new SqsPoller(
        {
          uuid: m.UUID,
          queueArn: m.EventSourceArn,
          batchSize: m.BatchSize,
          windowSeconds: m.MaximumBatchingWindowInSeconds,
          reportBatchItemFailures: m.FunctionResponseTypes.includes('ReportBatchItemFailures'),
          concurrency: Math.max(1, Math.min(m.ScalingConfig?.MaximumConcurrency ?? Infinity, this.maxConcurrency)),
        },
        {
          sqs: () => this.ctx.service<SqsApi>('sqs'),
          invoke: async (payload) => {
            let fn: FunctionRecord;
            try {
              fn = this.functions.get(m.region, m.FunctionArn);
            } catch {
              return undefined;
            }
            return this.invoke(fn, payload);
          },
        },
      );
      this.pollers.set(m.UUID, p);
    });
    void poller;
  }
}
