/**
 * `tap upload --via-api`: the partner's way in. POST /files says what the file is (name, type, size)
 * and answers with a presigned POST; the file then goes straight to S3 as a form upload, and S3
 * enforces the key, the content type and the size the permission was made for.
 */
import { openAsBlob } from 'node:fs';
import { relativeKey } from '../handlers/contract.js';
import { callApi } from './api.js';
import type { Clients } from './clients.js';
import { TapError, UserError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { contentType } from './upload-file.js';

/** What POST /files answers (src/handlers/api/uploads.ts UploadPermission). */
export interface UploadPermission {
  readonly method: 'POST';
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly key: string;
  readonly maxSize: number;
  readonly expiresAt: string;
}

export interface ApiUploaded {
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

export async function askUploadPermission(clients: Clients, pipeline: Pipeline, key: string, size: number, signal?: AbortSignal): Promise<UploadPermission> {
  const filename = relativeKey(key);
  const answer = await callApi(clients, pipeline, {
    method: 'POST',
    path: '/files',
    body: JSON.stringify({ filename, contentType: contentType(key), size }),
    ...(signal && { signal }),
  });
  if (answer.status !== 201) {
    const message = (answer.body as { message?: string } | null)?.message ?? JSON.stringify(answer.body);
    const error = answer.status >= 400 && answer.status < 500 ? UserError : TapError;
    throw new error(`The API refused to let ${key} be uploaded (HTTP ${answer.status}): ${message}`);
  }
  return answer.body as UploadPermission;
}

/** Sends the file as the form the permission describes. */
export async function postWithPermission(permission: UploadPermission, path: string, signal?: AbortSignal): Promise<ApiUploaded> {
  const form = new FormData();
  for (const [name, value] of Object.entries(permission.fields)) form.append(name, value);
  // The file must be the form's last field (S3 ignores fields after it).
  form.append('file', await openAsBlob(path, { type: permission.fields['Content-Type'] ?? 'application/octet-stream' }), permission.key.slice(permission.key.lastIndexOf('/') + 1));
  const res = await fetch(permission.url, { method: 'POST', body: form, ...(signal && { signal }) });
  const text = await res.text();
  if (res.status >= 300) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
    throw new TapError(`S3 refused the upload of ${permission.key} through the API's permission: ${code}: ${decodeXml(message)}`);
  }
  const versionId = res.headers.get('x-amz-version-id') ?? undefined;
  const etag = res.headers.get('etag') ?? undefined;
  return { key: permission.key, ...(versionId && { versionId }), ...(etag && { etag }) };
}

const decodeXml = (text: string) => text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
