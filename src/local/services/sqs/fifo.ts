/**
 * What is particular to FIFO queues ("FIFO queue logic" and "Exactly-once processing", SQS Developer
 * Guide): the checks a send must pass, deduplication within 5 minutes, and the receive order.
 */
import { createHash } from 'node:crypto';
import { invalidParameterValue, invalidValue, missingParameter } from './errors.js';
import type { CheckedSend, StoredMessage } from './messages.js';

export const DEDUP_WINDOW_MS = 5 * 60_000;

export interface DedupEntry {
  readonly id: string;
  readonly seq?: string;
  /** ms of the first send. */
  readonly at: number;
}

/**
 * A FIFO send's deduplication id (given, or the body's SHA-256 with ContentBasedDeduplication) and the
 * key it is remembered under: scoped to the message group when DeduplicationScope is messageGroup.
 */
export function dedupKeyOf(attributes: Readonly<Record<string, string>>, checked: CheckedSend): { dedupId: string; key: string } {
  if (!checked.groupId) throw missingParameter('MessageGroupId');
  if (checked.delaySeconds) {
    throw invalidValue('DelaySeconds', checked.delaySeconds, 'The request include parameter that is not valid for this queue type.');
  }
  const contentBased = attributes.ContentBasedDeduplication === 'true';
  const dedupId = checked.dedupId ?? (contentBased ? createHash('sha256').update(checked.body).digest('hex') : undefined);
  if (!dedupId) {
    throw invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  }
  return { dedupId, key: attributes.DeduplicationScope === 'messageGroup' ? `${checked.groupId}\n${dedupId}` : dedupId };
}

/** Deduplication ids seen in the last 5 minutes. SQS keeps them even after the message is deleted. */
export class DedupWindow {
  private readonly entries = new Map<string, DedupEntry>();

  get size(): number {
    return this.entries.size;
  }

  find(key: string, now: number): DedupEntry | undefined {
    const entry = this.entries.get(key);
    return entry && now - entry.at < DEDUP_WINDOW_MS ? entry : undefined;
  }

  remember(key: string, entry: DedupEntry): void {
    this.entries.set(key, entry);
  }

  /** Drops expired entries; returns the rest. */
  live(now: number): Array<[string, DedupEntry]> {
    for (const [key, entry] of this.entries) if (now - entry.at >= DEDUP_WINDOW_MS) this.entries.delete(key);
    return [...this.entries];
  }
}

/**
 * The receive order: while any message of a group is in flight, the group yields nothing; within a
 * group, messages come in send order and stop at the first one not yet visible; a receive takes as
 * many messages of one group as it can before the next group.
 */
export function* fifoCandidates(
  messages: Iterable<StoredMessage>,
  now: number,
  evictIfExpired: (m: StoredMessage) => boolean,
): Generator<StoredMessage> {
  const all = [...messages];
  const blocked = new Set<string>();
  for (const m of all) if (m.receiveCount > 0 && m.visibleAt > now) blocked.add(m.group ?? '');
  const stopped = new Set<string>();
  const byGroup = new Map<string, StoredMessage[]>();
  for (const m of all) {
    if (evictIfExpired(m)) continue;
    const group = m.group ?? '';
    if (blocked.has(group) || stopped.has(group)) continue;
    if (m.visibleAt > now) {
      stopped.add(group);
      continue;
    }
    let list = byGroup.get(group);
    if (!list) byGroup.set(group, (list = []));
    list.push(m);
  }
  for (const list of byGroup.values()) yield* list;
}
