/**
 * Items into child inputs. ItemSelector applies to each item first (with `$$.Map.Item.Index` and
 * `$$.Map.Item.Value`); without an ItemBatcher every item is a child's input, with one a child gets
 * `{ BatchInput?, Items: [...] }` holding at most MaxItemsPerBatch items and MaxInputBytesPerBatch
 * bytes (an item too large for any batch goes alone, and its child fails on its input's size).
 * The grouping depends only on the items, so after a restart child `index` names the same items.
 */
import type { Json } from '../definition.js';
import type { Context, Template } from './template.js';

export interface Child {
  /** The child's position (0-based) and the index of its first item. */
  readonly index: number;
  readonly firstItem: number;
  readonly items: number;
  readonly input: Json;
}

export interface BatchSpec {
  readonly maxItems?: number;
  readonly maxBytes?: number;
  readonly batchInput?: Json;
}

export async function* children(items: AsyncIterable<Json>, selector: Template, input: Json, context: Context, batch: BatchSpec | undefined): AsyncGenerator<Child> {
  let index = 0;
  let itemIndex = 0;
  const select = async (value: Json) => (selector.defined ? selector.apply(input, { ...context, Map: { Item: { Index: itemIndex, Value: value } } }) : value);
  if (!batch) {
    for await (const value of items) {
      yield { index: index++, firstItem: itemIndex, items: 1, input: await select(value) };
      itemIndex++;
    }
    return;
  }
  const maxItems = batch.maxItems ?? Infinity;
  const maxBytes = batch.maxBytes ?? Infinity;
  // The envelope's own bytes: `{"BatchInput":…,"Items":[]}` plus a comma per item after the first.
  const envelope = Buffer.byteLength(JSON.stringify(batch.batchInput === undefined ? { Items: [] } : { BatchInput: batch.batchInput, Items: [] }));
  let pending: Json[] = [];
  let bytes = envelope;
  let first = 0;
  const flush = (): Child => {
    const input: Json = batch.batchInput === undefined ? { Items: pending } : { BatchInput: batch.batchInput, Items: pending };
    const child = { index: index++, firstItem: first, items: pending.length, input };
    first += pending.length;
    pending = [];
    bytes = envelope;
    return child;
  };
  for await (const value of items) {
    const selected = await select(value);
    const size = Buffer.byteLength(JSON.stringify(selected ?? null));
    if (pending.length && bytes + 1 + size > maxBytes) yield flush();
    bytes += size + (pending.length ? 1 : 0);
    pending.push(selected);
    itemIndex++;
    if (pending.length >= maxItems) yield flush();
  }
  if (pending.length) yield flush();
}
