/**
 * S3 keys as the user types them and as the pipeline stores them. Pure.
 */
import { PREFIX } from '../handlers/contract.js';
import { UserError } from './errors.js';

/**
 * The `incoming/` key a user means: `a.json`, `incoming/a.json`, `/incoming/a.json` and
 * `s3://bucket/incoming/a.json` all name `incoming/a.json`.
 */
export function incomingKey(input: string): string {
  let key = input.trim().replace(/^s3:\/\/[^/]+\//, '').replace(/^\/+/, '');
  if (key === '' || key.endsWith('/')) throw new UserError(`"${input}" is not a file key. Pass the uploaded file's key, for example --file shipments.json or --file incoming/2026/shipments.json.`);
  if (!key.startsWith(PREFIX.incoming)) key = `${PREFIX.incoming}${key}`;
  return key;
}

/** `--prefix` as a key fragment: `a/b` and `/a/b/` → `a/b/`; empty → ''. */
export function normalizePrefix(prefix: string | undefined): string {
  let trimmed = (prefix ?? '').trim().replace(/^\/+|\/+$/g, '');
  // Uploads always go under incoming/; saying so in the prefix is not an error.
  if (trimmed === 'incoming' || trimmed.startsWith(PREFIX.incoming)) trimmed = trimmed.slice(PREFIX.incoming.length);
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new UserError(`--prefix "${prefix}" is not valid: use folder names separated by single slashes, without . or .. (for example --prefix 2026/01).`);
  }
  return `${trimmed}/`;
}

/** `incoming/<prefix/><file name>`. */
export function uploadKey(prefix: string, fileName: string): string {
  return `${PREFIX.incoming}${normalizePrefix(prefix)}${fileName}`;
}

export { closestKeys } from '../shared/closest-keys.js';
