/**
 * ListSecrets: filters as AWS documents them (values are prefixes; a leading `!` negates; name, tag
 * key and tag value match case-sensitively, description and `all` not; several values of one key
 * are OR-ed, several keys AND-ed), secrets scheduled for deletion only with IncludePlannedDeletion,
 * ordered by creation date, pages of MaxResults (1–100) with an opaque NextToken.
 */
import { AwsError } from '../../errors.js';
import type { SecretRecord } from './model.js';

const KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export function listSecrets(
  all: SecretRecord[],
  input: Record<string, any>,
  shape: (s: SecretRecord) => Record<string, unknown>,
): { SecretList: Array<Record<string, unknown>>; NextToken?: string } {
  const max = input.MaxResults ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('MaxResults must be between 1 and 100.');
  const filters = (input.Filters ?? []) as Array<{ Key?: string; Values?: string[] }>;
  if (!Array.isArray(filters) || filters.length > 10) throw invalid('You can specify at most 10 filters.');
  for (const f of filters) {
    if (!f || typeof f !== 'object') throw invalid('Each filter must be an object with Key and Values.');
    if (!f.Key || !KEYS.includes(f.Key)) throw invalid(`Invalid filter key ${String(f.Key)}; valid keys are ${KEYS.join(', ')}.`);
    if (!Array.isArray(f.Values) || f.Values.length < 1 || f.Values.length > 10 || !f.Values.every((v) => typeof v === 'string' && v.length <= 512)) {
      throw invalid('Each filter needs 1 to 10 string values of at most 512 characters.');
    }
  }
  const order = input.SortOrder === 'desc' ? -1 : 1;
  const matching = all
    .filter((s) => input.IncludePlannedDeletion === true || s.DeletedDate === undefined)
    .filter((s) => filters.every((f) => matchesFilter(s, f.Key!, f.Values!)))
    .sort((a, b) => order * (a.CreatedDate - b.CreatedDate) || a.Name.localeCompare(b.Name));
  const start = input.NextToken === undefined ? 0 : decodeToken(input.NextToken);
  const page = matching.slice(start, start + max);
  const next = start + max < matching.length ? Buffer.from(JSON.stringify({ offset: start + max })).toString('base64') : undefined;
  return { SecretList: page.map(shape), ...(next ? { NextToken: next } : {}) };
}

function decodeToken(token: unknown): number {
  try {
    const offset = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')).offset;
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalid('The NextToken value is invalid.');
}

function matchesFilter(secret: SecretRecord, key: string, values: string[]): boolean {
  const positive = values.filter((v) => !v.startsWith('!'));
  const negative = values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const hit = (v: string) => candidates(secret, key).some(([text, caseSensitive]) => (caseSensitive ? text.startsWith(v) : text.toLowerCase().startsWith(v.toLowerCase())));
  return (positive.length === 0 || positive.some(hit)) && !negative.some(hit);
}

/** What a filter key looks at, and whether it compares case-sensitively. */
function candidates(s: SecretRecord, key: string): Array<[string, boolean]> {
  switch (key) {
    case 'name':
      return [[s.Name, true]];
    case 'description':
      return s.Description ? [[s.Description, false]] : [];
    case 'tag-key':
      return s.Tags.map((t) => [t.Key, true]);
    case 'tag-value':
      return s.Tags.map((t) => [t.Value, true]);
    case 'all':
      return [s.Name, s.Description ?? '', ...s.Tags.flatMap((t) => [t.Key, t.Value])]
        .flatMap((text) => text.split(/[\s/_+=.@-]+/))
        .map((word) => [word, false]);
    default:
      return []; // primary-region, owning-service: local secrets are neither replicated nor managed.
  }
}
