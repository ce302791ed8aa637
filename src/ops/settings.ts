/**
 * Deploy settings that are given once and then remembered: stored as tags on the stack itself, so
 * every machine (and every later `deploy`, `--hotswap` and `diff`) sees them. A new setting (a
 * webhook URL, a threshold) is one more entry in SETTINGS and one more field in DeploySettings.
 * Tags, not template Metadata: CloudFormation refuses an update that changes only Metadata, while a
 * tag change is an update of its own.
 */
import { isProtected } from '../infra/environment.js';
import { decodeTagValue, encodeTagValue } from './webhook-url.js';

/** The remembered settings of one environment. Absent means "not set". */
export interface DeploySettings {
  /** Alarm notifications go to this address (an SNS e-mail subscription). */
  readonly alarmEmail?: string;
  /** Every mutating command asks first (or needs --yes), as for prod. */
  readonly protected?: boolean;
  /** File outcomes are posted, signed, to this URL (the delivery state machine skips when absent). */
  readonly webhookUrl?: string;
  /** Delivery attempts in all (default 6, src/infra/delivery.ts). */
  readonly deliveryAttempts?: number;
  /** The first retry's base wait in seconds, doubling after (default 5). */
  readonly deliveryInterval?: number;
  /** Files above this many bytes go to the big-file state machine (default in src/infra/big-file.ts). */
  readonly bigFileThreshold?: number;
  /** The big-file map's MaxConcurrency: Batch functions at once. */
  readonly bigFileConcurrency?: number;
  /** The big-file map's ToleratedFailurePercentage (0-100). */
  readonly bigFileTolerance?: number;
}

type Key = keyof DeploySettings;
type Value<K extends Key> = NonNullable<DeploySettings[K]>;

/** How one setting is stored as a tag, and how the user sets and clears it. */
interface SettingSpec<K extends Key> {
  readonly tag: string;
  /** For messages: what the setting is called, how to set it and how to clear it. */
  readonly label: string;
  readonly change: string;
  readonly clear: string;
  toTag(value: Value<K>): string;
  fromTag(text: string): Value<K> | undefined;
  show(value: Value<K>): string;
}

export const SETTINGS: { readonly [K in Key]-?: SettingSpec<K> } = {
  alarmEmail: {
    tag: 'tap:alarm-email',
    label: 'alarm e-mail',
    change: '--alarm-email ADDRESS',
    clear: "--alarm-email ''",
    toTag: (v) => v,
    fromTag: (t) => t || undefined,
    show: (v) => v,
  },
  protected: {
    tag: 'tap:protected',
    label: 'protected',
    change: '--protected',
    clear: '--no-protected',
    toTag: () => 'true',
    fromTag: (t) => (t === 'true' ? true : undefined),
    show: () => 'yes',
  },
  webhookUrl: {
    tag: 'tap:webhook-url',
    label: 'webhook URL',
    change: '--webhook-url URL',
    clear: "--webhook-url ''",
    // A URL's `?`, `&`, `%` are not allowed in tag values: see webhook-url.ts for the encoding.
    toTag: encodeTagValue,
    fromTag: (t) => decodeTagValue(t) || undefined,
    show: (v) => v,
  },
  deliveryAttempts: {
    tag: 'tap:delivery-attempts',
    label: 'delivery attempts',
    change: '--delivery-attempts N',
    clear: "--delivery-attempts ''",
    toTag: String,
    fromTag: positiveInteger,
    show: String,
  },
  deliveryInterval: {
    tag: 'tap:delivery-interval',
    label: 'delivery retry interval (s)',
    change: '--delivery-interval SECONDS',
    clear: "--delivery-interval ''",
    toTag: String,
    fromTag: positiveInteger,
    show: String,
  },
  bigFileThreshold: {
    tag: 'tap:big-file-threshold',
    label: 'big-file threshold (bytes)',
    change: '--big-file-threshold SIZE',
    clear: "--big-file-threshold ''",
    toTag: String,
    fromTag: (t) => (/^\d{1,13}$/.test(t) ? Number(t) : undefined),
    show: String,
  },
  bigFileConcurrency: {
    tag: 'tap:big-file-concurrency',
    label: 'big-file map concurrency',
    change: '--big-file-concurrency N',
    clear: "--big-file-concurrency ''",
    toTag: String,
    fromTag: positiveInteger,
    show: String,
  },
  bigFileTolerance: {
    tag: 'tap:big-file-tolerance',
    label: 'big-file tolerated failure (%)',
    change: '--big-file-tolerance PERCENT',
    clear: "--big-file-tolerance ''",
    toTag: String,
    fromTag: (t) => (/^\d{1,3}$/.test(t) && Number(t) <= 100 ? Number(t) : undefined),
    show: String,
  },
};

function positiveInteger(text: string): number | undefined {
  return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined;
}

/** The settings that shape the template (the synthesis's options). */
export function synthSettings(settings: DeploySettings): {
  alarmEmail?: string;
  webhookUrl?: string;
  deliveryAttempts?: number;
  deliveryIntervalSeconds?: number;
  bigFileThresholdBytes?: number;
  bigFileConcurrency?: number;
  bigFileTolerance?: number;
} {
  return {
    ...(settings.bigFileThreshold !== undefined ? { bigFileThresholdBytes: settings.bigFileThreshold } : {}),
    ...(settings.bigFileConcurrency !== undefined ? { bigFileConcurrency: settings.bigFileConcurrency } : {}),
    ...(settings.bigFileTolerance !== undefined ? { bigFileTolerance: settings.bigFileTolerance } : {}),
    ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    ...(settings.webhookUrl ? { webhookUrl: settings.webhookUrl } : {}),
    ...(settings.deliveryAttempts !== undefined ? { deliveryAttempts: settings.deliveryAttempts } : {}),
    ...(settings.deliveryInterval !== undefined ? { deliveryIntervalSeconds: settings.deliveryInterval } : {}),
  };
}

const KEYS = Object.keys(SETTINGS) as Key[];

/** What the user gave on the command line: a value sets, `null` clears, absent keeps what is remembered. */
export type GivenSettings = { readonly [K in Key]?: Value<K> | null };

/** The settings remembered on a stack (from its tags). */
export function rememberedSettings(tags: Record<string, string>): DeploySettings {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const text = tags[SETTINGS[key].tag];
    const value = text === undefined ? undefined : SETTINGS[key].fromTag(text);
    if (value !== undefined) out[key] = value;
  }
  return out as DeploySettings;
}

/** The tags that remember these settings (only the ones that are set). */
export function settingsTags(settings: DeploySettings): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const key of KEYS) {
    const value = settings[key];
    if (value !== undefined) tags[SETTINGS[key].tag] = (SETTINGS[key].toTag as (v: unknown) => string)(value);
  }
  return tags;
}

export interface ResolvedSettings {
  readonly settings: DeploySettings;
  /** Remembered settings used because the command line did not give them. */
  readonly reused: Key[];
  /** Settings the command line set, changed or cleared. */
  readonly changed: Key[];
}

/** The command line over what is remembered. */
export function resolveSettings(remembered: DeploySettings, given: GivenSettings): ResolvedSettings {
  const settings: Record<string, unknown> = {};
  const reused: Key[] = [];
  const changed: Key[] = [];
  for (const key of KEYS) {
    const g = given[key];
    const r = remembered[key];
    if (g === undefined) {
      if (r !== undefined) {
        settings[key] = r;
        reused.push(key);
      }
      continue;
    }
    if (g !== null) settings[key] = g;
    if ((g ?? undefined) !== r) changed.push(key);
  }
  return { settings: settings as DeploySettings, reused, changed };
}

/** One line for the user: which remembered settings a command uses, and how to change them. */
export function describeReused(settings: DeploySettings, reused: readonly Key[]): string | undefined {
  if (!reused.length) return undefined;
  const parts = reused.map((key) => {
    const spec = SETTINGS[key] as SettingSpec<Key>;
    return `${spec.label} ${spec.show(settings[key] as never)} (change: ${spec.change}; clear: ${spec.clear})`;
  });
  return `Using the settings remembered on the stack: ${parts.join('; ')}`;
}

/** Whether mutating commands must ask first: the names protected by default, or marked --protected. */
export function isGuarded(env: string, settings: DeploySettings): boolean {
  return isProtected(env) || settings.protected === true;
}
