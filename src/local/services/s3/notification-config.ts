/**
 * Bucket notification configurations: the XML document ↔ a typed form, and S3's checks on it (ARNs,
 * event names, prefix/suffix rules, overlapping configurations). Destination existence is checked by
 * notifications.ts, which can reach the other services.
 */
import { randomBytes } from 'node:crypto';
import { asArray } from '../../protocols/xml.js';
import type { XmlTree } from './configs.js';
import { invalidArgument, malformedXml } from './errors.js';

export type DestinationKind = 'queue' | 'lambda' | 'topic';

export interface FilterRule {
  readonly Name: 'Prefix' | 'Suffix';
  readonly Value: string;
}

export interface NotificationTarget {
  readonly id: string;
  readonly kind: DestinationKind;
  readonly arn: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, … */
  readonly events: readonly string[];
  readonly rules: readonly FilterRule[];
}

export interface NotificationConfig {
  readonly targets: readonly NotificationTarget[];
  readonly eventBridge: boolean;
}

/** The XML element, and its ARN element, per destination kind (the API's LambdaFunctionConfiguration is CloudFunction on the wire). */
const ELEMENTS: Record<DestinationKind, readonly [element: string, arn: string, service: string]> = {
  queue: ['QueueConfiguration', 'Queue', 'sqs'],
  lambda: ['CloudFunctionConfiguration', 'CloudFunction', 'lambda'],
  topic: ['TopicConfiguration', 'Topic', 'sns'],
};

/** The event types S3 accepts in a notification configuration. */
export const EVENT_TYPES = new Set([
  's3:ReducedRedundancyLostObject',
  ...['*', 'Put', 'Post', 'Copy', 'CompleteMultipartUpload'].map((e) => `s3:ObjectCreated:${e}`),
  ...['*', 'Delete', 'DeleteMarkerCreated'].map((e) => `s3:ObjectRemoved:${e}`),
  ...['*', 'Post', 'Completed', 'Delete'].map((e) => `s3:ObjectRestore:${e}`),
  ...['*', 'OperationFailedReplication', 'OperationNotTracked', 'OperationMissedThreshold', 'OperationReplicatedAfterThreshold'].map(
    (e) => `s3:Replication:${e}`,
  ),
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectAcl:Put',
  ...['*', 'Delete', 'DeleteMarkerCreated'].map((e) => `s3:LifecycleExpiration:${e}`),
  ...['*', 'Put', 'Delete'].map((e) => `s3:ObjectTagging:${e}`),
]);

export function parseNotificationXml(tree: XmlTree): NotificationConfig {
  const targets: NotificationTarget[] = [];
  for (const kind of Object.keys(ELEMENTS) as DestinationKind[]) {
    const [element, arnElement] = ELEMENTS[kind];
    for (const item of asArray(tree[element] as XmlTree | XmlTree[])) {
      if (typeof item !== 'object') throw malformedXml();
      const filter = ((item['Filter'] as XmlTree | undefined)?.['S3Key'] as XmlTree | undefined)?.['FilterRule'];
      targets.push({
        id: String(item['Id'] ?? ''),
        kind,
        arn: String(item[arnElement] ?? ''),
        events: asArray(item['Event'] as string | string[]).map(String),
        rules: asArray(filter as XmlTree | XmlTree[]).map((r) => ({ Name: String(r['Name'] ?? '') as FilterRule['Name'], Value: String(r['Value'] ?? '') })),
      });
    }
  }
  return { targets, eventBridge: tree['EventBridgeConfiguration'] !== undefined };
}

export function notificationToXml(config: NotificationConfig | undefined): XmlTree {
  const tree: XmlTree = {};
  for (const kind of Object.keys(ELEMENTS) as DestinationKind[]) {
    const [element, arnElement] = ELEMENTS[kind];
    const items = (config?.targets ?? [])
      .filter((t) => t.kind === kind)
      .map((t) => ({
        Id: t.id,
        [arnElement]: t.arn,
        Event: t.events,
        ...(t.rules.length > 0 && { Filter: { S3Key: { FilterRule: t.rules } } }),
      }));
    if (items.length) tree[element] = items;
  }
  if (config?.eventBridge) tree['EventBridgeConfiguration'] = '';
  return tree;
}

/** Checks a configuration as S3 does and fills in what S3 fills in (ids, capitalised rule names). */
export function normalizeNotification(config: NotificationConfig): NotificationConfig {
  const targets = config.targets.map((target) => {
    const [, arnElement, service] = ELEMENTS[target.kind];
    if (!new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+`).test(target.arn)) {
      throw invalidArgument('The ARN is not well formed', arnElement, target.arn);
    }
    if (target.events.length === 0) throw malformedXml();
    for (const event of target.events) {
      if (!EVENT_TYPES.has(event)) throw invalidArgument('The event is not supported for notifications', 'Event', event);
    }
    const rules = target.rules.map((rule): FilterRule => {
      const name = String(rule.Name).toLowerCase();
      if (name !== 'prefix' && name !== 'suffix') {
        throw invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule', String(rule.Name));
      }
      return { Name: name === 'prefix' ? 'Prefix' : 'Suffix', Value: rule.Value };
    });
    for (const name of ['Prefix', 'Suffix'] as const) {
      if (rules.filter((r) => r.Name === name).length > 1) {
        throw invalidArgument(`Cannot specify more than one ${name.toLowerCase()} rule in a filter.`, 'FilterRule', name);
      }
    }
    return { ...target, id: target.id || randomBytes(27).toString('base64'), rules };
  });
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      if (overlap(targets[i]!, targets[j]!)) {
        throw invalidArgument(
          'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
          'Event',
          targets[j]!.events.join(', '),
        );
      }
    }
  }
  return { targets, eventBridge: config.eventBridge };
}

/** Two configurations overlap when they share an event type and a key could match both filters. */
function overlap(a: NotificationTarget, b: NotificationTarget): boolean {
  const sharesEvent = a.events.some((x) => b.events.some((y) => eventsIntersect(x, y)));
  if (!sharesEvent) return false;
  const rule = (t: NotificationTarget, name: FilterRule['Name']) => t.rules.find((r) => r.Name === name)?.Value ?? '';
  const [pa, pb, sa, sb] = [rule(a, 'Prefix'), rule(b, 'Prefix'), rule(a, 'Suffix'), rule(b, 'Suffix')];
  return (pa.startsWith(pb) || pb.startsWith(pa)) && (sa.endsWith(sb) || sb.endsWith(sa));
}

function eventsIntersect(x: string, y: string): boolean {
  if (x === y) return true;
  const family = (e: string) => e.slice(0, e.lastIndexOf(':'));
  return family(x) === family(y) && (x.endsWith(':*') || y.endsWith(':*'));
}

/** Whether `event` (e.g. `s3:ObjectCreated:Put`) is one a configuration's event list subscribes to. */
export function subscribes(target: NotificationTarget, event: string): boolean {
  return target.events.some((e) => e === event || (e.endsWith(':*') && event.startsWith(e.slice(0, -1))));
}

/** Prefix/suffix rules apply to the key as it appears in the event: URL-encoded (an S3 quirk). */
export function matchesFilter(target: NotificationTarget, encodedKey: string): boolean {
  return target.rules.every((r) => (r.Name === 'Prefix' ? encodedKey.startsWith(r.Value) : encodedKey.endsWith(r.Value)));
}
