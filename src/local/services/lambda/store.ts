/**
 * Lambda functions: configuration, code reference, tags, resource policy, async invoke config and
 * reserved concurrency, one JSON file per function under `<data-dir>/lambda/functions/<region>/`.
 * Inputs are validated here so that an in-process caller (the CloudFormation engine) gets AWS's errors.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fsName } from '../../names.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';
import type { CodeInput, CodeStore } from './code.js';
import { conflict, functionNotFound, invalidParameter, preconditionFailed } from './errors.js';
import { functionArn, lambdaTimestamp, type FunctionRecord } from './model.js';
import { buildConfig, checkFunctionName } from './validate.js';

type Input = Record<string, any>;

/** What a FunctionName parameter may be: a name, a partial or full ARN, each with a qualifier. */
export function parseFunctionRef(ref: string): { name: string; qualifier?: string; region?: string } {
  const m = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/.exec(ref);
  if (!m) checkFunctionName(ref);
  return { name: m![2]!, ...(m![3] ? { qualifier: m![3] } : {}), ...(m![1] ? { region: m![1] } : {}) };
}

export class FunctionStore {
  private readonly functions = new Map<string, FunctionRecord>();
  /** Told when a function was created, its code or configuration changed, or it was deleted (workers recycle). */
  onChange: (fn: FunctionRecord) => void = () => {};

  constructor(
    private readonly dir: string,
    private readonly accountId: string,
    readonly code: CodeStore,
  ) {}

  async load(): Promise<void> {
    this.functions.clear();
    const root = join(this.dir, 'functions');
    for (const region of await readdir(root).catch(() => [] as string[])) {
      for (const file of await readdir(join(root, region)).catch(() => [] as string[])) {
        if (!file.endsWith('.json')) continue;
        const fn = await readJsonIfExists<FunctionRecord>(join(root, region, file), { lost: `a Lambda function (file ${region}/${file})` });
        if (fn) this.functions.set(key(fn.region, fn.config.FunctionName), fn);
      }
    }
  }

  arn(fn: FunctionRecord): string {
    return functionArn(fn.region, this.accountId, fn.config.FunctionName);
  }

  /** The function for a FunctionName parameter; only the unqualified or `$LATEST` version exists here. */
  get(region: string, ref: string, qualifier?: string): FunctionRecord {
    const parsed = parseFunctionRef(ref);
    const q = qualifier ?? parsed.qualifier;
    const r = parsed.region ?? region;
    const fn = this.functions.get(key(r, parsed.name));
    if (!fn || (q !== undefined && q !== '$LATEST')) {
      throw functionNotFound(`${functionArn(r, this.accountId, parsed.name)}${q ? `:${q}` : ''}`);
    }
    return fn;
  }

  list(region: string): FunctionRecord[] {
    return [...this.functions.values()].filter((f) => f.region === region).sort((a, b) => (a.config.FunctionName < b.config.FunctionName ? -1 : 1));
  }

  all(): FunctionRecord[] {
    return [...this.functions.values()];
  }

  async create(region: string, input: Input): Promise<FunctionRecord> {
    const config = buildConfig({ ...input, FunctionName: parseFunctionRef(String(input.FunctionName ?? '')).name });
    if (this.functions.has(key(region, config.FunctionName))) {
      throw conflict(`Function already exist: ${config.FunctionName}`);
    }
    const fn: FunctionRecord = {
      region,
      config,
      code: await this.code.accept(input.Code as CodeInput | undefined),
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      tags: checkTags(input.Tags),
      policy: [],
    };
    // A concurrent create of the same name may have won while the code was read.
    if (this.functions.has(key(region, config.FunctionName))) throw conflict(`Function already exist: ${config.FunctionName}`);
    this.functions.set(key(region, config.FunctionName), fn);
    await this.save(fn);
    this.onChange(fn);
    return fn;
  }

  async updateCode(fn: FunctionRecord, input: Input): Promise<void> {
    checkRevision(fn, input.RevisionId);
    if (input.Publish) throw invalidParameter('tap local does not publish function versions.');
    if (input.ImageUri) throw invalidParameter('tap local runs .zip functions only (PackageType Image is not emulated).');
    const code = await this.code.accept(input as CodeInput);
    if (input.DryRun) return;
    fn.code = code;
    await this.changed(fn);
  }

  async updateConfig(fn: FunctionRecord, input: Input): Promise<void> {
    checkRevision(fn, input.RevisionId);
    fn.config = buildConfig(input, fn.config);
    await this.changed(fn);
  }

  async delete(fn: FunctionRecord): Promise<void> {
    this.functions.delete(key(fn.region, fn.config.FunctionName));
    await removeIfExists(this.file(fn));
    this.onChange(fn);
  }

  /** Saves a change that does not touch what workers run (tags, policy, invoke config, concurrency). */
  async save(fn: FunctionRecord): Promise<void> {
    await writeJsonAtomic(this.file(fn), fn);
  }

  async tag(fn: FunctionRecord, tags: unknown): Promise<void> {
    fn.tags = checkTags({ ...fn.tags, ...(tags as object) });
    await this.save(fn);
  }

  async untag(fn: FunctionRecord, keys: readonly string[]): Promise<void> {
    for (const k of keys) delete fn.tags[k];
    await this.save(fn);
  }

  private async changed(fn: FunctionRecord): Promise<void> {
    fn.lastModified = lambdaTimestamp();
    fn.revisionId = randomUUID();
    await this.save(fn);
    this.onChange(fn);
  }

  private file(fn: FunctionRecord): string {
    return join(this.dir, 'functions', fsName(fn.region), `${fsName(fn.config.FunctionName)}.json`);
  }
}

const key = (region: string, name: string) => `${region}/${name}`;

function checkRevision(fn: FunctionRecord, revisionId: unknown): void {
  if (revisionId !== undefined && revisionId !== fn.revisionId) throw preconditionFailed();
}

export function checkTags(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((tags ?? {}) as Record<string, unknown>)) {
    if (k.length < 1 || k.length > 128 || k.startsWith('aws:')) throw invalidParameter(`The tag key ${k} is not valid.`);
    out[k] = String(v ?? '');
  }
  if (Object.keys(out).length > 50) throw invalidParameter('A function can have at most 50 tags.');
  return out;
}
