/**
 * What the engine needs from a resource type: create / update / delete through the other services'
 * in-process stores, which property changes replace the resource, and its Ref and GetAtt values.
 */
import type { LocalContext } from '../../../service.js';

export interface ProviderContext {
  readonly local: LocalContext;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /**
   * The name AWS gives a resource whose template names none: `<stack>-<logicalId>-<RANDOM>`, cut to
   * fit `maxLength` (and lower-cased where the service wants it, e.g. bucket names).
   */
  physicalName(options?: { maxLength?: number; lowercase?: boolean }): string;
}

export interface Provisioned {
  readonly physicalId: string;
  /** Fn::GetAtt values by attribute name. */
  readonly attributes?: Record<string, unknown>;
  /** Ref's value when it is not the physical id. */
  readonly ref?: string;
}

export type Props = Record<string, any>;

export interface ResourceProvider {
  /** Properties whose change replaces the resource (AWS's "Update requires: Replacement"). */
  readonly replaceOn?: readonly string[];
  /** Properties whose change replaces it only in some cases ("Some interruptions" / conditional). */
  readonly mayReplaceOn?: readonly string[];
  /** The property that names the resource: replacing a custom-named resource is an error, as on AWS. */
  readonly nameProperty?: string;
  /** The Fn::GetAtt attributes it has (undefined: any, as for custom resources). */
  readonly attributes?: readonly string[];
  create(props: Props, ctx: ProviderContext): Promise<Provisioned>;
  /** In-place update. Absent: every change replaces the resource. */
  update?(physicalId: string, props: Props, old: { properties: Props; attributes: Record<string, unknown> }, ctx: ProviderContext): Promise<Provisioned | void>;
  /** Deletes; a resource already gone is not an error (AWS skips it the same way). */
  delete(physicalId: string, props: Props, ctx: ProviderContext): Promise<void>;
  /** For properties listed in mayReplaceOn: does this particular change replace? */
  needsReplacement?(changed: readonly string[], props: Props, old: Props): boolean;
}

/** `[{Key, Value}]` as templates write tags → a record. */
/** A template's `Tags` property as the { Key, Value } list the stores take. */
export function tagList(props: Props): Array<{ Key: string; Value: string }> {
  return ((props.Tags ?? []) as Props[]).map((t) => ({ Key: String(t.Key), Value: String(t.Value) }));
}

export function tagRecord(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) for (const t of tags) if (t && typeof t === 'object') out[String(t.Key)] = String(t.Value ?? '');
  return out;
}

/** A property that must be a JSON document: objects are serialized, strings taken as they are. */
export function jsonDocument(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function bool(value: unknown): boolean {
  return value === true || String(value).toLowerCase() === 'true';
}

/** Errors a store throws for a resource that is already gone: a delete treats them as success. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string; name?: string })?.code ?? (error as Error)?.name ?? '';
  return /NotFound|NoSuch|DoesNotExist|NonExistent|ResourceNotFound/i.test(code);
}
