/**
 * S3 keys as the user types them and as the pipeline stores them. Pure.
 */
import { PREFIX, SHIPMENT_ID } from '../handlers/contract.js';
import { UserError } from './errors.js';

/**
 * The `incoming/` key a user means: `a.json`, `incoming/a.json`, `/incoming/a.json` and
 * `s3://bucket/incoming/a.json` all name `incoming/a.json`.
 */
export function incomingKey(input: string): string {
  let key = input.trim().replace(/^s3:\/\/[^/]+\//, '').replace(/^\/+/, '');
  if (key === '' || key.endsWith('/')) throw new UserError(`"${input}" is not a file key. Pass the uploaded file's key, for example --file shipments.json or --file incoming/2026/shipments.json.`);
  // Photos keep their own prefix: `tap status --file pod/S-1/door.jpg` means that key.
  if (!key.startsWith(PREFIX.incoming) && !key.startsWith(PREFIX.pod)) key = `${PREFIX.incoming}${key}`;
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

/** A shipment id as typed, checked against the pod/ layout's rule (one safe path segment). */
export function shipmentId(input: string, flag = '--shipment'): string {
  const id = input.trim();
  if (!SHIPMENT_ID.test(id)) {
    throw new UserError(`${flag} "${input}" is not a shipment id: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (for example ${flag} S-1).`);
  }
  return id;
}

/** `pod/<shipment_id>/<file name>`: where proof-of-delivery photos go. */
export function podKey(shipment: string, fileName: string): string {
  return `${PREFIX.pod}${shipmentId(shipment)}/${fileName}`;
}

export { closestKeys } from '../shared/closest-keys.js';
