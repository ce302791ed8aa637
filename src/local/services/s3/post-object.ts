/**
 * PostObject: an upload as an HTML form (multipart/form-data) to the bucket's URL, authorized by a
 * signed POST policy (post-policy.ts). The form is read whole (up to MAX_POST_BODY), the object
 * committed like a PUT, and `s3:ObjectCreated:Post` notified.
 */
import { createHash } from 'node:crypto';
import { localCredentials } from '../../auth/credentials.js';
import { AwsError } from '../../errors.js';
import { preconditionFailed } from './errors.js';
import { eventSource, sendEmpty, sendXml, versionHeader, type Handler } from './http.js';
import { assertKey } from './object-input.js';
import { checkPolicy } from './post-policy.js';

/** Local bound on a form upload, read into memory to parse (S3 allows 5 GB). */
const MAX_POST_BODY = 256 * 1024 * 1024;

export const postObject: Handler = async (op) => {
  const bucket = op.store.bucket(op.bucket);
  const contentType = op.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) throw preconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data');
  const declared = Number(op.req.header('content-length') ?? 0);
  if (declared > MAX_POST_BODY) {
    throw new AwsError('EntityTooLarge', `tap local reads form uploads up to ${MAX_POST_BODY} bytes; upload larger files with PUT or multipart.`, 400, { fields: { ProposedSize: String(declared), MaxSizeAllowed: String(MAX_POST_BODY) } });
  }
  const form = await readForm(await op.req.body(), contentType);
  const fields = new Map<string, string>();
  let file: File | undefined;
  for (const [name, value] of form) {
    if (typeof value === 'string') fields.set(name.toLowerCase(), value);
    else if (name.toLowerCase() === 'file') file = value;
  }
  if (!file) throw new AwsError('InvalidArgument', 'POST requires exactly one file upload per request.', 400, { fields: { ArgumentName: 'file', ArgumentValue: '0' } });
  const rawKey = fields.get('key');
  if (!rawKey) throw new AwsError('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 400, { fields: { ArgumentName: 'key', ArgumentValue: '' } });
  const key = rawKey.replace(/\$\{filename\}/g, file.name);
  fields.set('key', key);
  const bytes = Buffer.from(await file.arrayBuffer());
  await checkPolicy({ fields, size: bytes.length }, op.bucket, localCredentials(op.local));
  assertKey(key);

  const metadata = Object.fromEntries([...fields].filter(([k]) => k.startsWith('x-amz-meta-')).map(([k, v]) => [k.slice('x-amz-meta-'.length), v]));
  const version = await op.store.objects.commit(op.bucket, key, {
    headers: { contentType: fields.get('content-type') ?? 'binary/octet-stream' },
    metadata,
    size: bytes.length,
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    sse: { algorithm: 'AES256' },
    body: { bytes },
  });
  await op.notifier.emit('PostObject', 'ObjectCreated:Post', op.bucket, version, eventSource({ ...op, key }));
  const location = `${op.local.endpoint()}/${op.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  const headers = { etag: version.etag, location, ...versionHeader(bucket, version) };
  const status = fields.get('success_action_status');
  if (status === '201') return sendXml(op, 'PostResponse', { Location: location, Bucket: op.bucket, Key: key, ETag: version.etag }, headers, 201);
  sendEmpty(op, status === '200' ? 200 : 204, headers);
};

async function readForm(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AwsError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', 400);
  }
}
