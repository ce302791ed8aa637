/** Request parameters (awsQuery) → typed inputs, and the template a request points at. */
import { AwsError } from '../../../errors.js';
import { queryList, queryStructList, queryTags } from '../../../protocols/query.js';
import type { LocalContext } from '../../../service.js';
import type { S3Api } from '../../contracts.js';
import { validationError } from '../engine/template.js';

export type Params = Map<string, string>;

const NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const BODY_LIMIT = 51_200;
const URL_LIMIT = 1_000_000;

export function required(p: Params, name: string): string {
  const value = p.get(name);
  if (!value) throw validationError(`1 validation error detected: Value null at '${name[0]!.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function checkName(value: string, field: 'stackName' | 'changeSetName'): string {
  if (!NAME.test(value) || value.length > 128) {
    throw validationError(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
  return value;
}

export function parameterInputs(p: Params): Array<{ key: string; value?: string; usePrevious?: boolean }> {
  return queryStructList(p, 'Parameters.member').map((m) => ({
    key: m.ParameterKey ?? '',
    ...(m.ParameterValue !== undefined ? { value: m.ParameterValue } : {}),
    ...(m.UsePreviousValue === 'true' ? { usePrevious: true } : {}),
  }));
}

export function tagInputs(p: Params): Array<{ Key: string; Value: string }> | undefined {
  const tags = queryTags(p);
  return tags.length || p.has('Tags') ? tags : undefined;
}

export function listInput(p: Params, name: string): string[] {
  return queryList(p, `${name}.member`);
}

export function boolInput(p: Params, name: string): boolean | undefined {
  return p.has(name) ? p.get(name) === 'true' : undefined;
}

/** The template text from TemplateBody or TemplateURL (read from the local S3, in-process). */
export async function templateText(ctx: LocalContext, p: Params): Promise<string | undefined> {
  const body = p.get('TemplateBody');
  const url = p.get('TemplateURL');
  if (body !== undefined && url !== undefined) throw validationError('You cannot specify both TemplateURL and TemplateBody');
  if (body !== undefined) {
    if (Buffer.byteLength(body) > BODY_LIMIT) {
      throw validationError(`1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${BODY_LIMIT}`);
    }
    return body;
  }
  if (url === undefined) return undefined;
  const { bucket, key } = s3Location(url);
  let bytes: Buffer;
  try {
    bytes = await ctx.service<S3Api>('s3').getObjectBytes(bucket, key);
  } catch (error) {
    const code = error instanceof AwsError ? error.code : 'Error';
    throw validationError(`TemplateURL must reference a valid S3 object to which you have access. S3 error: ${code}: ${(error as Error).message}`);
  }
  if (bytes.length > URL_LIMIT) throw validationError(`Template may not exceed ${URL_LIMIT} bytes in size.`);
  return bytes.toString('utf8');
}

/**
 * Bucket and key from the URL forms CloudFormation accepts: path style on the local endpoint
 * (`http://127.0.0.1:4566/bucket/key`) or on S3 (`https://s3.<region>.amazonaws.com/bucket/key`), and
 * virtual-hosted style (`https://bucket.s3.amazonaws.com/key`, `https://bucket.s3.<region>.amazonaws.com/key`).
 */
export function s3Location(raw: string): { bucket: string; key: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationError('TemplateURL must be a supported URL.');
  }
  const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  const virtual = /^(.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname);
  const pathStyle = /^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.test(url.hostname) || isLocalHost(url.hostname);
  if (virtual && !virtual[1]!.startsWith('s3')) return nonEmpty(virtual[1]!, segments.join('/'));
  if (pathStyle) return nonEmpty(segments[0] ?? '', segments.slice(1).join('/'));
  throw validationError('TemplateURL must be a supported URL.');
}

function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function nonEmpty(bucket: string, key: string): { bucket: string; key: string } {
  if (!bucket || !key) throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
  return { bucket, key };
}
