/** Tags as most AWS APIs take them: a list of { Key, Value }. */
export type TagList = Array<{ Key: string; Value: string }>;

/** TagResource semantics: added tags replace existing ones with the same key, the rest stay. */
export function mergeTags(existing: TagList | undefined, added: TagList): TagList {
  return [...(existing ?? []).filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
}
